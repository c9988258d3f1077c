package nstest

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// RerunAsInit re-runs the test binary's test named test (which must check
// for innerEnv and call BecomeProcInit) as PID 1 of new PID and mount
// namespaces, in a process group of its own, with env added to its
// environment; it logs the inner run's output (note says what to add to
// that log, e.g. a seed) and fails unless the inner test passed within
// timeout.
func RerunAsInit(t *testing.T, test string, timeout time.Duration, note string, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS, Setpgid: true}
	out, err := cmd.CombinedOutput()
	t.Logf("inside a new PID namespace%s:\n%s", note, out)
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("%s inside a new PID namespace failed%s: %v", test, note, err)
	}
}

// BecomeProcInit is the inner run's set-up under RerunAsInit: it checks
// that it is PID 1, makes every mount private (nothing it mounts reaches
// the test's namespace) and mounts this PID namespace's own procfs on
// /proc.
func BecomeProcInit(t *testing.T) {
	t.Helper()
	if os.Getpid() != 1 {
		t.Fatalf("the inner run is PID %d, want 1", os.Getpid())
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		t.Fatalf("make mounts private: %v", err)
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		t.Fatalf("mount this namespace's procfs: %v", err)
	}
}

// WaitCNAck waits on fd, a netlink connector socket bound to the process
// events group, for the kernel's acknowledgement (PROC_EVENT_NONE) whose
// cn_msg ack is want, and returns its error number; false when none came
// within the time given.
func WaitCNAck(t testing.TB, fd int, want uint32, within time.Duration) (syscall.Errno, bool) {
	t.Helper()
	const (
		cnIdxProc     = 1
		cnMsgLen      = 20 // struct cn_msg
		procEventHdr  = 16 // what, cpu, timestamp_ns
		procEventNone = 0
	)
	ne := binary.NativeEndian
	tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	buf := make([]byte, 64<<10)
	for deadline := time.Now().Add(within); time.Now().Before(deadline); {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) || errors.Is(err, unix.ENOBUFS) {
				continue
			}
			t.Fatal(err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			continue
		}
		for _, m := range msgs {
			d := m.Data
			if len(d) < cnMsgLen+procEventHdr+4 || ne.Uint32(d[0:]) != cnIdxProc ||
				ne.Uint32(d[cnMsgLen:]) != procEventNone || ne.Uint32(d[12:]) != want {
				continue
			}
			return syscall.Errno(ne.Uint32(d[cnMsgLen+procEventHdr:])), true
		}
	}
	return 0, false
}
