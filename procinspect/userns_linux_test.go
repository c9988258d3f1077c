package procinspect

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// TestUserNSOwner reads who owns a process's user namespace: 0 for one in
// the initial namespace, the creating user for a namespace nobody made
// (what a rootless container's init shows, whatever its own uid).
func TestUserNSOwner(t *testing.T) {
	nstest.NeedNamespaces(t)
	fs := NewFS("/proc", false)
	cmd := exec.Command("unshare", "--user", "--map-root-user", "sleep", "100")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var got Int
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, err = userNSOwner(fs.Proc(cmd.Process.Pid)); err == nil && got.V == 65534 {
			break
		}
	}
	if err != nil && !procAlive(cmd.Process.Pid) {
		nstest.Skip(t, "unprivileged-userns", "unshare --user as uid 65534 did not run: %v", err)
	}
	if err != nil || got != KnownInt(65534) {
		t.Errorf("a user namespace made by uid 65534: owner %+v, %v; want 65534", got, err)
	}
	self, err := userNSOwner(fs.Proc(syscall.Getpid()))
	if err != nil || self != KnownInt(0) {
		t.Errorf("the test's own (initial) user namespace: owner %+v, %v; want 0", self, err)
	}
}

func procAlive(pid int) bool { return syscall.Kill(pid, 0) == nil }
