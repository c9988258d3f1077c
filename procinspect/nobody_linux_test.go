package procinspect_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sigview/sigview/procinspect"
)

// The non-root rescan tests run in two parts: root, as PID 1 of a new PID
// namespace with a private procfs (nstest.RerunAsInit), sets the scene and
// then runs this test binary again as uid 65534 to scan it, driving the
// scene through fifos in a directory both can use.

// nobodyDir makes that directory (removed when the test ends): the fifos
// named, writable by anyone, and a copy of this test binary that uid 65534
// can run, which it returns.
func nobodyDir(t *testing.T, fifos ...string) (dir, exe string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "sigview-nonroot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, f := range fifos {
		if err := syscall.Mkfifo(filepath.Join(dir, f), 0o666); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, f), 0o666)
	}
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(dir, "procinspect.test")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir, exe
}

// startInit starts argv, root's, as the init of a new PID namespace,
// killed and reaped when the test ends.
func startInit(t *testing.T, argv ...string) *exec.Cmd {
	t.Helper()
	init := exec.Command(argv[0], argv[1:]...)
	init.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	if err := init.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		init.Process.Kill()
		init.Wait()
	})
	return init
}

// scanAsNobody runs test from exe as uid 65534 with env added, and fails
// unless it passed.
func scanAsNobody(t *testing.T, exe, test string, env ...string) {
	t.Helper()
	out, err := nobodyCmd(exe, test, env...).CombinedOutput()
	passedAsNobody(t, test, out, err)
}

// nobodyCmd is test from exe as uid 65534 with env added, not started.
func nobodyCmd(exe, test string, env ...string) *exec.Cmd {
	cmd := exec.Command(exe, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd
}

// passedAsNobody logs the output of test's run as uid 65534 and fails
// unless it passed.
func passedAsNobody(t *testing.T, test string, out []byte, err error) {
	t.Helper()
	t.Logf("the scanner, as uid 65534:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("the scanner as uid 65534 failed: %v", err)
	}
}

// scanOn scans with sc on prev (a full scan when prev is nil).
func scanOn(t *testing.T, sc procinspect.Scanner, prev *procinspect.Snapshot) *procinspect.Snapshot {
	t.Helper()
	sc.Prev = prev
	snap, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
