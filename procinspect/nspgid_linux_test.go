package procinspect

import (
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"github.com/sigview/sigview/internal/nstest"
)

// TestNSpgidZero: a process started into a new PID namespace in its
// parent's process group (as unshare --pid --fork starts its child) has
// NSpgid 0 at its own level, the kernel's word for a group whose leader is
// not in that namespace. ParseStatus reads it as that, not as a malformed
// line: every such process was a "malformed status lines" warning, and
// each a formatted problem in a scan (9,814 of them with the benchmark's
// 300 namespaces).
func TestNSpgidZero(t *testing.T) {
	nstest.NeedNamespaces(t)
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep in a new PID namespace: %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	st, err := ReadStatus("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Problems) > 0 {
		t.Errorf("status of PID %d: problems %q", cmd.Process.Pid, st.Problems)
	}
	if isInit, known := st.IsInit(); !known || !isInit {
		t.Fatalf("PID %d: NSpid %v, want the init of its namespace", cmd.Process.Pid, st.NSpid)
	}
	if n := len(st.NSpgid); n < 2 || st.NSpgid[n-1] != 0 || st.NSpgid[0] != syscall.Getpgrp() {
		t.Errorf("PID %d: NSpgid %v, want [%d … 0] (this test's group, outside its namespace)", cmd.Process.Pid, st.NSpgid, syscall.Getpgrp())
	}
	if g := st.NSPgid(); g != 0 {
		t.Errorf("NSPgid() = %d, want 0 (unknown: the leader is outside)", g)
	}
}
