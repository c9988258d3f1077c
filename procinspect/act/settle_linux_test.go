package act

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSettleIgnoresOtherProcessesSignals: what try waits to stay still is
// the init's own state, not SigQ, which counts the signals queued for its
// whole real UID. With SigQ in the signature, a machine where any other
// process of the same user had signals queued never looked settled, and
// every try waited its full 10 s cap (seen at load 30 in CI).
func TestSettleIgnoresOtherProcessesSignals(t *testing.T) {
	target := exec.Command("sleep", "1000")
	// Another process of the same user, with SIGRTMIN blocked, so that
	// signals sent to it stay queued and count in the user's SigQ.
	other := exec.Command("/usr/bin/python3", // Debian's, which any UID may run
		"-c", "import signal,sys,time\n"+
			"signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGRTMIN])\n"+
			"print(flush=True)\ntime.sleep(1000)")
	out, err := other.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*exec.Cmd{target, other} {
		// An unused UID of their own: SigQ counts per real UID, and other
		// root processes' signals must not move it while the test looks.
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 54321, Gid: 54321}}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		defer func(c *exec.Cmd) { c.Process.Kill(); c.Wait() }(c)
	}
	if _, err := out.Read(make([]byte, 1)); err != nil { // its mask is set
		t.Fatal(err)
	}
	dir := "/proc/" + strconv.Itoa(target.Process.Pid)
	var before string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sig, asleep := settleSignature(dir)
		if asleep && strings.Contains(sig, "sleep") {
			before = sig
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sleep %d never slept", target.Process.Pid)
		}
	}
	q0 := sigQ(t, dir)
	for i := 0; i < 3; i++ { // 34: glibc's and Python's SIGRTMIN
		if err := unix.Kill(other.Process.Pid, syscall.Signal(34)); err != nil {
			t.Fatal(err)
		}
	}
	if q1 := sigQ(t, dir); q1 < q0+3 {
		t.Fatalf("the target's SigQ went from %d to %d after 3 signals queued for its user: the test shows nothing", q0, q1)
	}
	if after, _ := settleSignature(dir); after != before {
		t.Errorf("the signature of an untouched sleep changed when another process had signals queued:\nbefore %s\nafter  %s", before, after)
	}
}

// sigQ is the count before the slash of the SigQ line.
func sigQ(t *testing.T, dir string) int {
	t.Helper()
	b, err := exec.Command("grep", "^SigQ:", dir+"/status").Output()
	if err != nil {
		t.Fatal(err)
	}
	n, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(string(b), "SigQ:")), "/")
	v, err := strconv.Atoi(n)
	if err != nil {
		t.Fatalf("SigQ %q: %v", b, err)
	}
	return v
}
