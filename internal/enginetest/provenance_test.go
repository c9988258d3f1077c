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

// TestForgedDaemonIsNotTrusted: a process in a child PID namespace calls
// itself dockerd and points --data-root at forged files for a real
// container of the private dockerd (another image, STOPSIGNAL SIGKILL, no
// grace). sigview keeps the container's real stop configuration, and a
// warning names the forged daemon and why it is not trusted.
func TestForgedDaemonIsNotTrusted(t *testing.T) {
	t.Parallel()
	forged := t.TempDir()
	// A program named dockerd that only waits, run as PID 1 of a new PID
	// namespace, with the flags a forger would give it; started first, so
	// that its lower PID puts its flags before the real dockerd's.
	bin := filepath.Join(t.TempDir(), "dockerd")
	src := bin + ".c"
	os.WriteFile(src, []byte("#include <unistd.h>\nint main(void) { for (;;) pause(); }\n"), 0o644)
	if err := nstest.Build([]string{"gcc", "-o", bin, src}); err != nil {
		t.Fatal(err)
	}
	nstest.NeedNamespaces(t)
	fake := exec.Command(bin, "--data-root", forged, "--exec-root", filepath.Join(forged, "exec"))
	fake.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true}
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
	want := "dockerd (PID " + strconv.Itoa(fake.Process.Pid) + ") is not trusted"
	if !strings.Contains(strings.Join(snap.Warnings, "\n"), want) {
		t.Errorf("no warning naming the forged daemon (%q): %q", want, snap.Warnings)
	}
}
