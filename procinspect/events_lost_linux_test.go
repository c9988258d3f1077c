package procinspect

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// loseEvents makes ev's socket lose what comes next: a receive buffer too
// small for a burst (the kernel then drops every event until the socket is
// read: ENOBUFS), filled by 64 short processes. A second subscriber, which
// does not overflow, listens meanwhile: an event that reaches no listener
// makes the kernel reset its count of listeners to 0 (cn_proc.c send_msg,
// -ESRCH) though this one is still subscribed, and its IGNORE at Close
// would then take the count below the listeners left, and the events away
// from them (other tests, a sigview on the machine).
func loseEvents(t *testing.T, ev *Events) {
	t.Helper()
	witness, err := OpenEvents()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { witness.Close() })
	if err := unix.SetsockoptInt(ev.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 0); err != nil {
		t.Fatal(err)
	}
	for range 64 {
		if err := exec.Command("true").Run(); err != nil {
			t.Fatal(err)
		}
	}
}

// restoreRcvBuf gives ev its receive buffer back after loseEvents.
func restoreRcvBuf(t *testing.T, ev *Events) {
	t.Helper()
	if err := unix.SetsockoptInt(ev.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, eventsRcvBuf); err != nil {
		t.Fatal(err)
	}
}

// sleeper starts a sleep that sleeps on until the test ends: a process no
// event names once it runs. It returns its PID.
func sleeper(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

// suspectAfterScans opens events, scans twice, and makes a sleeper a
// suspect no event will name (as a check would): the state in which a take
// judges suspects.
func suspectAfterScans(t *testing.T) (*Events, int) {
	t.Helper()
	ev, scan := openEventsScanner(t)
	pid := sleeper(t)
	scan(scan(nil))
	ev.mu.Lock()
	ev.suspect = map[int]bool{pid: true}
	ev.suspectWhy = "suspect"
	ev.mu.Unlock()
	return ev, pid
}

// waitProc waits up to 10 s for what /proc/PID/stat's comm and state say
// to satisfy ok.
func waitProc(t *testing.T, pid int, what string, ok func(comm string, state byte) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		s := string(b)
		if i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')'); i >= 0 && j > i && j+2 < len(s) && ok(s[i+1:j], s[j+2]) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PID %d: %s not within 10 s (stat %q)", pid, what, s)
		}
	}
}

// TestRescanAfterLostEvents: after events were lost (ENOBUFS), a rescan
// shows what a full scan shows, and so do the rescans that derive their
// listing from the events after it. The lost events are an exec (a carried
// process's new name) and an exit (a zombie, reaped later without an
// event). Listing alone, the rescan carried the exec'd process with its
// old name, and the zombie as the live process it was read as: not noted
// as exited, its reaping left it in every listing derived later (until a
// check found it and gave up on the events).
func TestRescanAfterLostEvents(t *testing.T) {
	ev, scan := openEventsScanner(t)
	sh := exec.Command("sh", "-c", "read x; exec sleep 1000")
	in, err := sh.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	zombie := exec.Command("sleep", "1000")
	for _, c := range []*exec.Cmd{sh, zombie} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	}
	a, z := sh.Process.Pid, zombie.Process.Pid
	waitProc(t, a, "sh", func(comm string, _ byte) bool { return comm == "sh" })
	first := scan(nil)
	second := scan(first)
	if EventsDerived(ev) != 1 || second.Process(a) == nil || second.Process(z) == nil {
		t.Fatalf("the second scan: derived %d (broken %q), PID %d %v, PID %d %v", EventsDerived(ev), ev.Broken(), a, second.Process(a), z, second.Process(z))
	}
	// The socket overflows, and then the exec and the exit come.
	loseEvents(t, ev)
	if _, err := in.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	waitProc(t, a, "exec'd sleep", func(comm string, _ byte) bool { return comm == "sleep" })
	zombie.Process.Kill() // this test's own child, not waited for yet: a zombie
	waitProc(t, z, "a zombie", func(_ string, state byte) bool { return state == 'Z' })
	restoreRcvBuf(t, ev)
	third := scan(second)
	if EventsDerived(ev) != 1 {
		t.Fatalf("the rescan after the overflow derived its listing from the events: no loss seen")
	}
	full, err := Scanner{Root: "/proc"}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{a, z} {
		g, w := third.Process(pid), full.Process(pid)
		switch {
		case g == nil || w == nil:
			t.Errorf("PID %d: the rescan after the loss %v, a full scan %v", pid, g, w)
		case g.Name() != w.Name() || g.Status.State != w.Status.State:
			t.Errorf("PID %d: the rescan after the loss reads %s in state %c, a full scan %s in state %c", pid, g.Name(), g.Status.State, w.Name(), w.Status.State)
		}
	}
	// Reaped, without an event: the next rescans from the events drop it.
	zombie.Wait()
	s := third
	for i := 0; i < 3; i++ {
		s = scan(s)
		if entsHave(s, z) || s.Process(z) != nil {
			t.Errorf("rescan %d after the loss (derived: %d) still lists PID %d, reaped", i+1, EventsDerived(ev), z)
		}
	}
	if EventsDerived(ev) < 2 {
		t.Errorf("no rescan after the loss derived its listing from the events (%d; broken %q): the reaping was not tested", EventsDerived(ev), ev.Broken())
	}
	if b := ev.Broken(); b != "" {
		t.Errorf("the events were given up: %s", b)
	}
}

// TestLostEventsDoNotCondemn: a check's suspects (PIDs the listing and the
// events disagreed on) are not judged by a take that lost events, which
// may be the very events that named them: the events stay in use.
func TestLostEventsDoNotCondemn(t *testing.T) {
	ev, _ := suspectAfterScans(t)
	loseEvents(t, ev)
	if _, _, ok, _ := ev.take(); ok {
		t.Fatal("a take after an overflow trusted the events")
	}
	if b := ev.Broken(); b != "" {
		t.Errorf("a take that lost events gave up on them for a suspect: %s", b)
	}
}
