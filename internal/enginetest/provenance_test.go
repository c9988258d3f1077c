package enginetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
)

// TestForgedDaemonIsNotTrusted: a process calls itself dockerd and points
// --data-root at forged files for a real container of the private dockerd
// (another image, STOPSIGNAL SIGKILL, no grace). Whether it sits in a child
// PID namespace, or in the host's PID namespace but its own mount namespace
// (a --pid=host container), sigview keeps the container's real stop
// configuration, and a warning names the forger and why it is not trusted.
func TestForgedDaemonIsNotTrusted(t *testing.T) {
	nstest.NeedNamespaces(t)
	bin := filepath.Join(t.TempDir(), "dockerd")
	src := bin + ".c"
	os.WriteFile(src, []byte("#include <unistd.h>\nint main(void) { for (;;) pause(); }\n"), 0o644)
	if err := nstest.Build([]string{"gcc", "-o", bin, src}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		wrap   []string // what starts the forger
		clone  uintptr
		reason string
	}{
		{"child PID namespace", nil, syscall.CLONE_NEWPID, "it runs inside PID namespace"},
		{"host PID namespace, own mount namespace", []string{"unshare", "--mount"}, 0, "does not share the host's mount namespace"},
	} {
		t.Run(c.name, func(t *testing.T) { // not parallel: one forger at a time, one warning to read
			forged := t.TempDir()
			// Started first, so that its lower PID puts its flags before
			// the real dockerd's.
			argv := append(append([]string{}, c.wrap...), bin, "--data-root", forged, "--exec-root", filepath.Join(forged, "exec"))
			fake := exec.Command(argv[0], argv[1:]...)
			fake.SysProcAttr = &syscall.SysProcAttr{Cloneflags: c.clone, Setpgid: true}
			if err := fake.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { fake.Process.Kill(); fake.Wait() })

			d := StartDocker(t)
			real := d.Run(t, "provenance-real", []string{"--stop-signal", "SIGINT", "--stop-timeout", "7"}, "sleep", "1000")
			dir := filepath.Join(forged, "containers", real.ID)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			cfg := `{"ID":"` + real.ID + `","Name":"/forged","State":{"Pid":` + strconv.Itoa(real.Pid) +
				`},"Config":{"Image":"forged-image","StopSignal":"SIGKILL","StopTimeout":0}}`
			if err := os.WriteFile(filepath.Join(dir, "config.v2.json"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}

			snap, err := procinspect.Scanner{Root: "/proc", NoMem: true}.Scan()
			if err != nil {
				t.Fatal(err)
			}
			p := snap.Process(real.Pid)
			if p == nil || p.Engine == nil {
				t.Fatalf("the real container's init %d was not read with its engine metadata: %+v", real.Pid, p)
			}
			m := p.Engine
			if m.StopSignal != "SIGINT" || !m.StopTimeout.Known || m.StopTimeout.Value != 7 || strings.Contains(m.Image, "forged") || m.Name == "forged" {
				t.Errorf("the real container's metadata came from the forged files: stop %q %+v image %q name %q (files %q)",
					m.StopSignal, m.StopTimeout, m.Image, m.Name, m.Files)
			}
			for _, f := range m.Files {
				if strings.HasPrefix(f, forged) {
					t.Errorf("a forged file was read: %s", f)
				}
			}
			pid := fake.Process.Pid // unshare execs the forger: the same PID
			var found bool
			for _, w := range snap.Warnings {
				found = found || strings.Contains(w, "dockerd (PID "+strconv.Itoa(pid)+") is not trusted") && strings.Contains(w, c.reason)
			}
			if !found {
				t.Errorf("no warning naming the forger (PID %d) and why (%q): %q", pid, c.reason, snap.Warnings)
			}
		})
	}
}

// TestNestedDaemonReadsItsOwnRoot: Docker in Docker. A dockerd that is PID
// 1 of its own PID and mount namespaces keeps its data root on a tmpfs only
// its mount namespace has; the host path its --data-root names holds
// nothing. sigview, scanning from the host, reads the nested container's
// stop configuration inside the daemon's own root (/proc/PID/root), the
// values docker inspect gives.
func TestNestedDaemonReadsItsOwnRoot(t *testing.T) {
	nstest.NeedNamespaces(t)
	d := StartNestedDocker(t)
	in := d.Run(t, "nested-stop", []string{"--stop-signal", "SIGINT", "--stop-timeout", "7"}, "sleep", "1000")
	if _, err := os.Stat(filepath.Join(d.DataRoot, "containers", in.ID)); err == nil {
		t.Fatalf("the nested daemon's data root %s is visible on the host: the test proves nothing", d.DataRoot)
	}
	snap, err := procinspect.Scanner{Root: "/proc", NoMem: true}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	// docker inspect gives the PID in the daemon's namespace; find the
	// container's init on the host by its container ID.
	var init *procinspect.Process
	for _, ns := range snap.Namespaces {
		if p := ns.Init; p != nil && p.Container != nil && p.Container.ID == in.ID {
			init = p
		}
	}
	if init == nil || init.Engine == nil {
		t.Fatalf("no init with container %s and engine metadata in the host's scan", in.ID)
	}
	if ns := snap.NamespaceOf(init); ns == nil || ns.Level != 2 {
		t.Errorf("the nested container's namespace: %+v, want level 2 (below the daemon's)", ns)
	}
	m := init.Engine
	if m.Name != "nested-stop" || m.StopSignal != "SIGINT" || !m.StopTimeout.Known || m.StopTimeout.Value != 7 {
		t.Errorf("nested container: name %q stop %q timeout %+v; want nested-stop SIGINT 7 s (files %q notes %q)",
			m.Name, m.StopSignal, m.StopTimeout, m.Files, m.Notes)
	}
	root := "/proc/" + strconv.Itoa(d.PID()) + "/root"
	for _, f := range m.Files {
		if !strings.HasPrefix(f, root+d.DataRoot) {
			t.Errorf("file %s was not read inside the daemon's root %s", f, root)
		}
	}
}
