// Package enginetest runs real container engines for sigview's tests: a
// private dockerd and a podman with private storage, each in temporary
// directories, and a tiny image built locally from the host's binaries (no
// registry is reachable).
package enginetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// NeedEngines guards a test that runs real engines. It skips only when
// SIGVIEW_REQUIRE_NS is unset and the test is not root or a binary is
// missing; with SIGVIEW_REQUIRE_NS set it fails instead.
func NeedEngines(t testing.TB, bins ...string) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, fmt.Sprintf("root (euid is %d)", os.Geteuid()))
	}
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			missing = append(missing, b)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "real container engines need " + strings.Join(missing, ", ")
	if os.Getenv("SIGVIEW_REQUIRE_NS") != "" {
		t.Fatal("SIGVIEW_REQUIRE_NS is set but " + msg + " (.ci/run installs docker.io, podman, runc)")
	}
	t.Skip(msg + "; set SIGVIEW_REQUIRE_NS=1 to make this a failure")
}

// run runs a command and returns its trimmed stdout, or an error with its
// stderr.
func run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	return strings.TrimSpace(out.String()), nil
}

// Inspect is what both engines' inspect report and the tests compare.
type Inspect struct {
	ID          string
	Name        string
	Image       string
	StopSignal  string // as the engine spells it: "SIGINT" (docker), "2" (podman)
	StopTimeout *int64 // nil: absent
	Init        bool
	Pid         int
	Running     bool
	ExitCode    int
}

// Engine is the part of Docker and Podman the tests use.
type Engine interface {
	Name() string // "docker" or "podman", as engine.Lookup names them
	// Run creates and starts a detached container; args go before the
	// image, cmd after it.
	Run(t testing.TB, name string, args []string, cmd ...string) Inspect
	Inspect(t testing.TB, idOrName string) Inspect
	// Stop runs "<engine> stop", with -t timeout when timeout >= 0.
	Stop(t testing.TB, idOrName string, timeout int)
}

func mustJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}

// waitNoProcess waits until no process's command line mentions s.
func waitNoProcess(s string, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir("/proc")
		found := false
		for _, e := range ents {
			if _, err := strconv.Atoi(e.Name()); err != nil {
				continue
			}
			if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && strings.Contains(string(b), s) {
				found = true
				break
			}
		}
		if !found {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The commands Docker and Podman share; cli runs the engine's command line.
type cli func(args ...string) (string, error)

// importOnce imports the test image with the engine's import command
// (flags before the tarball), unless *done.
func importOnce(t testing.TB, done *bool, run cli, flags ...string) {
	t.Helper()
	if *done {
		return
	}
	tarball, err := Rootfs()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(append(append([]string{"import"}, flags...), tarball, Image)...); err != nil {
		t.Fatal(err)
	}
	*done = true
}

// importImage imports the tarball rootfs builds as image, unless done
// says it was.
func importImage(t testing.TB, run cli, done map[string]bool, rootfs func() (string, error), image string, flags ...string) {
	t.Helper()
	if done[image] {
		return
	}
	tarball, err := rootfs()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(append(append([]string{"import"}, flags...), tarball, image)...); err != nil {
		t.Fatal(err)
	}
	done[image] = true
}

// runImage runs image as a detached container named name and returns its
// ID.
func runImage(t testing.TB, run cli, name, image string, flags, cmd []string) string {
	t.Helper()
	id, err := run(append(append(append([]string{"run", "-d", "--name", name}, flags...), image), cmd...)...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// runDetached runs the test image as a detached container named name and
// returns what the engine prints: its ID.
func runDetached(t testing.TB, run cli, name string, flags, cmd []string) string {
	t.Helper()
	a := append(append([]string{"run", "-d", "--name", name}, flags...), Image)
	id, err := run(append(a, cmd...)...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// stop runs the engine's stop, with -t unless timeout is negative.
func stop(t testing.TB, run cli, idOrName string, timeout int) {
	t.Helper()
	a := []string{"stop"}
	if timeout >= 0 {
		a = append(a, "-t", strconv.Itoa(timeout))
	}
	if _, err := run(append(a, idOrName)...); err != nil {
		t.Fatal(err)
	}
}

// removeTree removes an engine's private directory: first every mount
// the engine left below it (dockerd bind-mounts its network namespace at
// exec/netns/default and does not always unmount it), deepest first, so
// that nothing stays mounted on the machine and the directory goes.
func removeTree(dir string) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err == nil {
		var mps []string
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) > 4 {
				mp := unescapeMount(f[4])
				if strings.HasPrefix(mp, dir+"/") {
					mps = append(mps, mp)
				}
			}
		}
		sort.Slice(mps, func(i, j int) bool { return len(mps[i]) > len(mps[j]) })
		for _, mp := range mps {
			syscall.Unmount(mp, syscall.MNT_DETACH)
		}
	}
	os.RemoveAll(dir)
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				out = append(out, byte(n))
				i += 3
				continue
			}
		}
		out = append(out, s[i])
	}
	return string(out)
}

// killUnder kills what an engine left running from its private directory
// dir: every process whose command line names dir (containerd, its shims,
// conmon) and all their descendants (the containers). They were all made
// by the test: dir is its own temporary directory.
func killUnder(dir string) {
	ents, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	var roots []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
			if i := strings.LastIndexByte(string(b), ')'); i > 0 {
				if f := strings.Fields(string(b[i+1:])); len(f) > 1 {
					parent[pid], _ = strconv.Atoi(f[1])
				}
			}
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && strings.Contains(string(b), dir+"/") {
			roots = append(roots, pid)
		}
	}
	kill := map[int]bool{}
	for _, r := range roots {
		kill[r] = true
	}
	for changed := true; changed; {
		changed = false
		for pid, pp := range parent {
			if kill[pp] && !kill[pid] {
				kill[pid], changed = true, true
			}
		}
	}
	for pid := range kill {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// removeCgroups removes the cgroups runc made for the containers ids,
// which stay when their daemon had to be killed (runc delete never ran):
// docker/<id> and system.slice/docker-<id>.scope in every hierarchy. A
// cgroup is removed only once empty (rmdir refuses otherwise); killed
// members take a moment to go.
func removeCgroups(ids []string) {
	hs, _ := filepath.Glob("/sys/fs/cgroup/*")
	hs = append(hs, "/sys/fs/cgroup")
	for _, id := range ids {
		if len(id) != 64 || strings.ContainsAny(id, "/.") {
			continue
		}
		for _, h := range hs {
			for _, cg := range []string{filepath.Join(h, "docker", id), filepath.Join(h, "system.slice", "docker-"+id+".scope")} {
				for i := 0; i < 40; i++ {
					err := syscall.Rmdir(cg)
					if err == nil || err == syscall.ENOENT || err == syscall.ENOTDIR {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}
	}
}
