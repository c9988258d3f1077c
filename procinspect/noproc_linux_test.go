package procinspect

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// TestTreeWithoutOwnProc: a --proc tree is read by reopening each file
// through sigview's own /proc/self/fd; with no /proc mounted (a minimal
// container, a chroot) that reopen fails with ENOENT. The scan must then
// fail saying so, never take every process for one that exited: on the
// code before, the scan of the fixture gave "0 processes, 16 exited".
// The test re-runs itself in a private mount namespace (the host's /proc
// is untouched) and unmounts /proc there.
func TestTreeWithoutOwnProc(t *testing.T) {
	if os.Getenv("SIGVIEW_NOPROC_INNER") != "" {
		noProcInside(t)
		return
	}
	nstest.NeedNamespaces(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestTreeWithoutOwnProc$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SIGVIEW_NOPROC_INNER=1")
	// Unshareflags CLONE_NEWNS: the child's mounts are made private (the
	// runtime remounts / MS_REC|MS_PRIVATE) before it runs, so its
	// umount does not propagate to the host.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	done := make(chan struct{})
	var out []byte
	var err error
	go func() {
		out, err = cmd.CombinedOutput()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the test in a private mount namespace did not end in 60 s:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: TestTreeWithoutOwnProc") {
		t.Fatalf("in a private mount namespace without /proc: %v\n%s", err, out)
	}
}

func noProcInside(t *testing.T) {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		t.Fatalf("make the mounts private: %v", err)
	}
	if err := syscall.Unmount("/proc", syscall.MNT_DETACH); err != nil {
		t.Fatalf("umount /proc in the private mount namespace: %v", err)
	}
	if _, err := os.Lstat("/proc/self"); err == nil {
		t.Fatal("/proc/self still there after the umount")
	}
	snap, err := Scanner{Root: fxRoot, SelfNS: fxSelfNS}.Scan()
	switch {
	case err == nil:
		t.Fatalf("Scan of the tree without /proc: %d processes, %d exited during the scan, no error; want an error saying /proc is needed",
			len(snap.Processes), snap.Vanished)
	case !strings.Contains(err.Error(), "needs sigview's own /proc mounted"):
		t.Errorf("Scan of the tree without /proc: %v; want it to say /proc is needed", err)
	}
	_, err = ReadStatus(fxRoot + "/5000/status")
	if err == nil || Vanished(err) || !strings.Contains(err.Error(), "/proc/self/fd") {
		t.Errorf("ReadStatus of a tree file without /proc: %v (vanished %v); want an error naming /proc/self/fd, not an exited process", err, Vanished(err))
	}
}
