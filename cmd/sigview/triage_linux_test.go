package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/enginetest"
	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect/render"
)

// TestContainerTargets runs explain and send with a container's name, as
// an SRE has it, against a private dockerd's real containers: the name
// resolves to the container's init, send really sends (sleep as PID 1
// drops SIGTERM, as predicted), and a name two containers share lists both
// and exits 2 without sending anything.
func TestContainerTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a private dockerd")
	}
	nstest.NeedNamespaces(t)
	d := enginetest.StartDocker(t)
	// Unique names: other tests' private dockerds may run at the same time.
	tag := fmt.Sprintf("sv%06d", rand.Intn(1e6))
	web := d.Run(t, tag+"-web", nil, "sleep", "1000")
	kube := []string{"--label", "io.kubernetes.pod.namespace=" + tag, "--label", "io.kubernetes.pod.name=api-0",
		"--label", "io.kubernetes.container.name=app"}
	a := d.Run(t, tag+"-a", kube, "sleep", "1000")
	b := d.Run(t, tag+"-b", kube, "sleep", "1000")

	t.Run("explain NAME", func(t *testing.T) {
		r := sigview(t, nil, "explain", tag+"-web")
		if r.code != 0 {
			t.Fatalf("explain %s-web: status %d", tag, r.code)
		}
		has(t, "explain NAME", r.stdout, fmt.Sprintf("PID %d (sleep), PID 1 inside", web.Pid),
			"container: docker "+tag+"-web ("+web.ID[:12]+")")
		// The same container by an ID prefix, and its namespace by inode.
		r = sigview(t, nil, "explain", web.ID[:8])
		has(t, "explain ID-PREFIX", r.stdout, fmt.Sprintf("PID %d (sleep), PID 1 inside", web.Pid))
	})

	t.Run("send NAME", func(t *testing.T) {
		r := sigview(t, nil, "send", "--watch", "1", tag+"-web")
		if r.code != 0 {
			t.Fatalf("send %s-web: status %d; want 0 (the prediction held)", tag, r.code)
		}
		has(t, "send NAME", r.stdout, "still alive", "as predicted (no, dropped)")
		if in := d.Inspect(t, web.ID); !in.Running || in.Pid != web.Pid {
			t.Errorf("after a dropped SIGTERM the container is %+v; want it running with init %d", in, web.Pid)
		}
	})

	t.Run("ambiguous", func(t *testing.T) {
		target := tag + "/api-0/app"
		for _, cmd := range []string{"explain", "send"} {
			r := sigview(t, nil, cmd, target)
			if r.code != 2 {
				t.Errorf("%s %s: status %d; want 2", cmd, target, r.code)
			}
			has(t, cmd+" of an ambiguous target", r.stderr, "matches 2 containers by container name",
				fmt.Sprintf("%s  init PID %d", a.ID[:12], a.Pid), fmt.Sprintf("%s  init PID %d", b.ID[:12], b.Pid))
		}
		// Nothing was sent: both inits are still the ones started.
		time.Sleep(200 * time.Millisecond)
		for _, c := range []enginetest.Inspect{a, b} {
			if in := d.Inspect(t, c.ID); !in.Running || in.Pid != c.Pid {
				t.Errorf("container %s is %+v after an ambiguous send", c.Name, in)
			}
		}
		// A real ambiguous ID prefix: containerd (ctr) IDs are free-form,
		// so two containers of the dockerd's own containerd can share one.
		pre := ctrPair(t, d)
		for _, cmd := range []string{"explain", "send"} {
			r := sigview(t, nil, cmd, pre)
			if r.code != 2 {
				t.Errorf("%s %s: status %d; want 2", cmd, pre, r.code)
			}
			has(t, cmd+" of an ambiguous ID prefix", r.stderr, "matches 2 containers by container ID prefix",
				"containerd "+pre+"a1  "+pre+"a1  init PID ", "containerd "+pre+"b2  "+pre+"b2  init PID ")
		}
		r := sigview(t, nil, "explain", "zz"+tag)
		if r.code != 1 || !strings.Contains(r.stderr, "no container's name is zz"+tag) {
			t.Errorf("explain of no container: status %d, stderr %q", r.code, r.stderr)
		}
	})
}

// TestOnceNeedsSIGKILL runs `sigview --once --needs-sigkill` over real
// namespaces: a sleep init (docker stop's SIGTERM is dropped: it needs
// SIGKILL) is listed, a tini init (forwards SIGTERM; its child dies) is
// not; --json keeps both, with needs_sigkill true and false.
func TestOnceNeedsSIGKILL(t *testing.T) {
	nstest.NeedNamespaces(t)
	needTool(t, "tini")
	sleepNS := startNSInit(t, "sleep", "1000")
	tiniNS := startNSInit(t, "tini", "-s", "--", "sleep", "1000")
	// tini starts its child and waits in sigtimedwait; until then (a
	// loaded machine) its stop is not yet what it will be.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got, _ := needsSIGKILL(t); got[tiniNS] != nil && !*got[tiniNS] {
			break
		}
	}
	r := sigview(t, nil, "--once", "--needs-sigkill")
	if r.code != 0 {
		t.Fatalf("--once --needs-sigkill: status %d", r.code)
	}
	row := func(ns string) string {
		for _, l := range strings.Split(r.stdout, "\n") {
			if f := strings.Fields(l); len(f) > 1 && (f[0] == ns || f[0] == "└" && f[1] == ns) {
				return l
			}
		}
		return ""
	}
	if l := row(sleepNS); l == "" || strings.HasSuffix(l, "(ancestor)") || !strings.Contains(l, "SIGTERM*:137 after 10s*") {
		t.Errorf("the sleep init's namespace %s: row %q; want it listed, its docker stop assumed (*) and ending with SIGKILL", sleepNS, l)
	}
	if l := row(tiniNS); l != "" {
		t.Errorf("the tini init's namespace %s is listed: %q", tiniNS, l)
	}
	has(t, "--once --needs-sigkill", r.stdout, "needs SIGKILL: ", "whose configured stop signal will not end the init (verdict no)",
		"(ancestor)", render.AssumedLegend)

	got, ids := needsSIGKILL(t)
	for id, parent := range ids {
		if parent != "" && !hasKey(ids, parent) {
			t.Errorf("--json: namespace %s's parent_id %s is not in the document", id, parent)
		}
	}
	if v := got[sleepNS]; v == nil || !*v {
		t.Errorf("--json: the sleep init's needs_sigkill = %v; want true", v)
	}
	if v := got[tiniNS]; v == nil || *v {
		t.Errorf("--json: the tini init's needs_sigkill = %v; want false", v)
	}
	if u := sigview(t, nil, "--json", "--needs-sigkill"); u.code != 2 {
		t.Errorf("--json --needs-sigkill: status %d; want 2 (the document keeps every namespace)", u.code)
	}
}

// needsSIGKILL reads `sigview --json`: each init's needs_sigkill by
// namespace id, and each namespace's parent_id ("" for none).
func needsSIGKILL(t *testing.T) (map[string]*bool, map[string]string) {
	t.Helper()
	j := sigview(t, nil, "--json")
	var doc struct {
		Namespaces []struct {
			ID       string  `json:"id"`
			ParentID *string `json:"parent_id"`
			Init     *struct {
				NeedsSIGKILL *bool `json:"needs_sigkill"`
			} `json:"init"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got, ids := map[string]*bool{}, map[string]string{}
	for _, ns := range doc.Namespaces {
		ids[ns.ID] = ""
		if ns.ParentID != nil {
			ids[ns.ID] = *ns.ParentID
		}
		if ns.Init != nil {
			got[ns.ID] = ns.Init.NeedsSIGKILL
		}
	}
	return got, ids
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// TestAssumedFromInsideContainer runs sigview inside real containers
// (docker exec of an image holding the static binary): in its own
// container, whose stop signal is SIGINT, no engine's files are visible,
// so the STOP cell is docker's default marked assumed, the header says so
// and how to mount them, and explain says why; over the host's /proc
// without the engines' directories, a 4 s stop timeout is an assumed 10 s.
func TestAssumedFromInsideContainer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an image and runs a private dockerd")
	}
	nstest.NeedNamespaces(t)
	d := enginetest.StartDocker(t)
	docker := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("docker", append(d.GlobalArgs(), args...)...)
		cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	ctx := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(ctx, "sigview"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("static build: %v\n%s", err, out)
	}
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		b, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ctx, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docker("build", "-q", "-t", "sigview-triage-test", ctx)
	tag := fmt.Sprintf("sv%06d", rand.Intn(1e6))
	// Its own init is sigview serve, a Go program; its stop signal SIGINT.
	viewer := docker("run", "-d", "--name", tag+"-viewer", "--network", "none", "--stop-signal", "SIGINT",
		"sigview-triage-test", "serve", "--listen", "127.0.0.1:0", "--no-probe")
	defer docker("rm", "-f", viewer)
	exec1 := func(args ...string) string {
		t.Helper()
		out := docker(append([]string{"exec", viewer, "/sigview"}, args...)...)
		t.Logf("inside: sigview %s\n%s", strings.Join(args, " "), out)
		return out
	}
	var once string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		once = exec1("--once", "--no-probe")
		if initRow(once) != "" {
			break
		}
	}
	initRow := initRow(once)
	if !strings.Contains(initRow, "SIGTERM*:") {
		t.Errorf("inside the container, its init's row %q: want the STOP cell docker's default SIGTERM, marked assumed (*)", initRow)
	}
	has(t, "--once inside a container", once, "inside PID namespace ", "only namespaces at or below it are visible",
		"no container engine's files are visible under /", "-v /var/lib/docker:/host/var/lib/docker:ro", render.AssumedLegend)
	explain := exec1("explain", "--no-probe", "1")
	has(t, "explain 1 inside a container", explain, "SIGTERM: assumed: docker's default; no engine file describes this namespace",
		"10 s: assumed: docker stop's default (10 s); no engine file describes this namespace")

	// The host's /proc without the engines' directories: a container of
	// the host with a 4 s stop timeout shows an assumed 10 s.
	web := d.Run(t, tag+"-web", []string{"--stop-timeout", "4"}, "sleep", "1000")
	hostView := docker("run", "-d", "--name", tag+"-hostview", "--network", "none", "--cap-drop", "ALL", "--cap-add", "SYS_PTRACE",
		"--cap-add", "DAC_READ_SEARCH", "-v", "/proc:/host/proc:ro", "sigview-triage-test", "serve", "--listen", "127.0.0.1:0", "--no-probe",
		"--proc", "/host/proc")
	defer docker("rm", "-f", hostView)
	out := docker("exec", hostView, "/sigview", "--once", "--no-probe", "--proc", "/host/proc")
	t.Logf("over the host's /proc:\n%s", out)
	var webRow string
	for _, l := range strings.Split(out, "\n") {
		if hasField(l, strconv.Itoa(web.Pid)) {
			webRow = l
		}
	}
	if !strings.Contains(webRow, "SIGTERM*:137 after 10s*") {
		t.Errorf("over /host/proc, container %s (stop timeout 4 s) row %q: want docker's default, assumed: SIGTERM*:137 after 10s*", web.Name, webRow)
	}
	has(t, "--once over /host/proc", out, "reading the host's procfs /host/proc: every PID namespace of the host is visible",
		"no container engine's files are visible under /host")
}

// initRow is the --once row of the init whose PID is 1 (the INIT column).
func initRow(once string) string {
	for _, l := range strings.Split(once, "\n") {
		f := strings.Fields(l)
		for i := 2; i+1 < len(f); i++ {
			if f[i] == "1" && f[i+1] == "sigview" {
				return l
			}
		}
	}
	return ""
}

func hasField(line, f string) bool {
	for _, x := range strings.Fields(line) {
		if x == f {
			return true
		}
	}
	return false
}

// ctrPair runs two containers with the private dockerd's own containerd
// (ctr, namespace "default", the test image saved from dockerd) whose IDs
// share a prefix of 8 hex digits, and returns that prefix; both are
// removed when the test ends.
func ctrPair(t *testing.T, d *enginetest.Docker) string {
	t.Helper()
	sock := filepath.Join(d.ExecRoot, "containerd", "containerd.sock")
	ctr := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("ctr", append([]string{"-a", sock, "-n", "default"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ctr %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	d.Import(t)
	archive := filepath.Join(t.TempDir(), "image.tar")
	if out, err := exec.Command("docker", append(d.GlobalArgs(), "save", "-o", archive, enginetest.Image)...).CombinedOutput(); err != nil {
		t.Fatalf("docker save: %v\n%s", err, out)
	}
	ctr("images", "import", "--snapshotter", "native", archive)
	pre := fmt.Sprintf("%08x", rand.Uint32())
	for _, id := range []string{pre + "a1", pre + "b2"} {
		ctr("run", "-d", "--snapshotter", "native", enginetest.Image, id, "sleep", "1000")
		t.Cleanup(func() {
			exec.Command("ctr", "-a", sock, "-n", "default", "tasks", "kill", "-s", "KILL", id).Run()
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if exec.Command("ctr", "-a", sock, "-n", "default", "tasks", "rm", id).Run() == nil {
					break
				}
			}
			exec.Command("ctr", "-a", sock, "-n", "default", "containers", "rm", id).Run()
		})
	}
	return pre
}
