package procinspect_test

// Real-kernel tests of Scanner.Send's identity checks: a PID that no longer
// names the scanned process is refused and nothing is signalled, including
// a PID genuinely reused by another process (made with ns_last_pid in a PID
// namespace of the test's own).

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/internal/testenv"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
	"github.com/sigview/sigview/procinspect/predict"
)

// child is a process the test started and reaps.
type child struct {
	pid  int
	cmd  *exec.Cmd
	done chan struct{}
	ws   syscall.WaitStatus
}

// spawn runs initprog MODE (as PID 1 of a new PID namespace when newNS) and
// waits for its "ready": by then its signal setup is in place.
func spawn(t *testing.T, initprog string, newNS bool, mode string) *child {
	t.Helper()
	cmd := exec.Command(initprog, mode)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if newNS {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWPID
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start initprog %s: %v", mode, err)
	}
	c := &child{pid: cmd.Process.Pid, cmd: cmd, done: make(chan struct{})}
	line, _ := bufio.NewReader(out).ReadString('\n')
	go func() {
		cmd.Wait() // reaps it: PIDFD_INFO_EXIT reports only reaped processes
		c.ws = cmd.ProcessState.Sys().(syscall.WaitStatus)
		close(c.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // through Go's pidfd: never hits a reused PID
		<-c.done
	})
	if line != "ready\n" {
		t.Fatalf("initprog %s said %q, want ready", mode, line)
	}
	return c
}

// kill ends the child and reaps it.
func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.done
}

// alive fails if the child ended within d.
func (c *child) alive(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-c.done:
		t.Fatalf("PID %d ended (%v): it was signalled", c.pid, c.ws)
	case <-time.After(d):
	}
}

// scannedStart is the start time a scan shows for pid.
func scannedStart(t *testing.T, pid int) uint64 {
	t.Helper()
	snap, err := procinspect.Scanner{Root: "/proc", Deep: []int{pid}}.Scan()
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	p := snap.Process(pid)
	if p == nil || p.StartTime == 0 {
		t.Fatalf("scan: no start time for PID %d (%+v)", pid, p)
	}
	return p.StartTime
}

func term(pid int, start uint64, from predict.Sender) (act.SendReport, error) {
	return act.Send(procinspect.Scanner{Root: "/proc"}, act.SendRequest{PID: pid, StartTime: start,
		Signal: procinspect.SIGTERM, From: from, Watch: 3 * time.Second})
}

// TestMain lets this test binary be the inside sender: act re-runs the
// running binary in the target's PID namespace.
func TestMain(m *testing.M) {
	act.ServeInside()
	cleanup := testenv.PrivateCache()
	code := m.Run()
	cleanup()
	if built.dir != "" {
		// The test inits, and the scan directories and configurations the
		// supervisor rows made below them.
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// TestActSendGone checks that a process that exited and was reaped is
// refused, not signalled.
func TestActSendGone(t *testing.T) {
	nstest.NeedNamespaces(t)
	c := spawn(t, buildInits(t).initprog, true, "handler")
	start := scannedStart(t, c.pid)
	c.kill()
	_, err := term(c.pid, start, predict.Host)
	if _, serr := os.Stat("/proc/" + strconv.Itoa(c.pid)); serr == nil {
		// Another process took the PID in between (rare on a busy host).
		if !errors.Is(err, act.ErrNotSame) {
			t.Fatalf("Send to the reused PID %d = %v; want ErrNotSame", c.pid, err)
		}
		return
	}
	if !errors.Is(err, procinspect.ErrGone) {
		t.Errorf("Send to the reaped PID %d = %v; want ErrGone", c.pid, err)
	}
	if _, err := act.Open("/proc", c.pid, start); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("act.Open of the reaped PID %d = %v; want ESRCH", c.pid, err)
	}
}

// TestActSendStartTimeMismatch checks that a start time other than the
// process's own is refused with ErrNotSame and that nothing is sent: the
// init exits on SIGTERM, and lives on.
func TestActSendStartTimeMismatch(t *testing.T) {
	nstest.NeedNamespaces(t)
	c := spawn(t, buildInits(t).initprog, true, "handler")
	start := scannedStart(t, c.pid)
	if h, err := act.Open("/proc", c.pid, start+1); !errors.Is(err, act.ErrNotSame) {
		if h != nil {
			h.Close()
		}
		t.Errorf("act.Open(%d, start+1) = %v; want ErrNotSame", c.pid, err)
	}
	for _, from := range predict.Senders {
		if _, err := term(c.pid, start-1, from); !errors.Is(err, act.ErrNotSame) {
			t.Errorf("Send from %s with start time %d (it is %d) = %v; want ErrNotSame", from, start-1, start, err)
		}
	}
	c.alive(t, 500*time.Millisecond)

	// The control: with its own start time, SIGTERM ends it.
	rep, err := term(c.pid, start, predict.Host)
	if err != nil {
		t.Fatalf("Send with the right start time: %v", err)
	}
	if !rep.Ended || !rep.Exit.Known || rep.Exit.V != 0 {
		t.Errorf("Send with the right start time: ended %v exit %+v; want ended, exit status 0 (%s)", rep.Ended, rep.Exit, rep.Summary)
	}
}

// TestActSendFromInsideGC checks that sending from inside leaves the
// Handle's pidfd intact across garbage collections: Send watches through
// it right after SignalFromInside returns, and the UI sends from a
// long-running process where collections happen at any time.
func TestActSendFromInsideGC(t *testing.T) {
	nstest.NeedNamespaces(t)
	c := spawn(t, buildInits(t).initprog, true, "none") // SIGTERM is dropped
	start := scannedStart(t, c.pid)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	}()
	for i := 0; i < 3; i++ {
		rep, err := act.Send(procinspect.Scanner{Root: "/proc"}, act.SendRequest{PID: c.pid, StartTime: start,
			Signal: procinspect.SIGTERM, From: predict.Inside, Watch: 200 * time.Millisecond})
		if err != nil || rep.Ended || !rep.Held.V {
			t.Errorf("Send from inside while collecting: ended %v, held %+v, %v; want alive, as predicted: %s", rep.Ended, rep.Held, err, rep.Summary)
		}
	}

	h, err := act.Open("/proc", c.pid, start)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SignalFromInside("/proc", syscall.SIGTERM); err != nil {
		t.Fatalf("SignalFromInside: %v", err)
	}
	time.Sleep(50 * time.Millisecond) // collections and finalizers run
	if !h.Alive() {
		t.Errorf("after SignalFromInside, Handle.Alive() = false for the live PID %d", c.pid)
	}
	if ended, err := h.WaitExit(200 * time.Millisecond); ended || err != nil {
		t.Errorf("after SignalFromInside, WaitExit = %v, %v for the live PID %d; want false, nil", ended, err, c.pid)
	}
	if err := h.Close(); err != nil {
		t.Errorf("Handle.Close after SignalFromInside: %v (its pidfd was closed behind its back)", err)
	}
	c.alive(t, 0)
}

// TestActSendPIDReuse makes the kernel give a reaped process's PID to a new
// process and checks that Send, given the old start time, refuses it. It
// re-runs itself as PID 1 of new PID and mount namespaces, where it mounts
// its own procfs and sets ns_last_pid with nothing else forking.
func TestActSendPIDReuse(t *testing.T) {
	if os.Getenv("SIGVIEW_REUSE_INNER") != "" {
		reuseInside(t, os.Getenv("SIGVIEW_INITPROG"))
		return
	}
	nstest.NeedNamespaces(t)
	nstest.RerunAsInit(t, "TestActSendPIDReuse", 60*time.Second, "", "SIGVIEW_REUSE_INNER=1", "SIGVIEW_INITPROG="+buildInits(t).initprog)
}

func reuseInside(t *testing.T, initprog string) {
	nstest.BecomeProcInit(t)
	// Go's runtime threads take PIDs too: retry if one took the freed PID.
	var old, reuser *child
	var oldStart uint64
	for try := 0; try < 5 && (reuser == nil || reuser.pid != old.pid); try++ {
		old = spawn(t, initprog, false, "handler")
		oldStart = scannedStart(t, old.pid)
		old.kill()
		time.Sleep(50 * time.Millisecond) // a later clock tick: start times differ
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(old.pid-1)), 0); err != nil {
			t.Fatalf("set ns_last_pid: %v", err)
		}
		reuser = spawn(t, initprog, false, "handler") // exits 0 on SIGTERM
	}
	if reuser.pid != old.pid {
		t.Fatalf("the new process got PID %d, not the reused %d", reuser.pid, old.pid)
	}
	newStart := scannedStart(t, reuser.pid)
	t.Logf("PID %d reused: start time %d, then %d", old.pid, oldStart, newStart)
	for _, from := range predict.Senders {
		if _, err := term(old.pid, oldStart, from); !errors.Is(err, act.ErrNotSame) {
			t.Errorf("Send from %s to the reused PID %d with the old start time = %v; want ErrNotSame", from, old.pid, err)
		}
	}
	if h, err := act.Open("/proc", old.pid, oldStart); !errors.Is(err, act.ErrNotSame) {
		if h != nil {
			h.Close()
		}
		t.Errorf("act.Open of the reused PID with the old start time = %v; want ErrNotSame", err)
	}
	reuser.alive(t, 500*time.Millisecond)
	// The control is sent from where this test runs: PID 1 of the new
	// namespace, the target's own, so from inside (a host send is refused).
	if _, err := term(reuser.pid, newStart, predict.Host); !errors.Is(err, act.ErrNotAncestor) {
		t.Errorf("Send from host to a process of sigview's own namespace = %v; want ErrNotAncestor", err)
	}
	rep, err := term(reuser.pid, newStart, "")
	if err != nil || rep.From != predict.Inside || !rep.Ended || !rep.Exit.Known || rep.Exit.V != 0 {
		t.Errorf("control: Send with the new start time = %+v, %v; want it sent from inside and ended with exit status 0", rep, err)
	}
}
