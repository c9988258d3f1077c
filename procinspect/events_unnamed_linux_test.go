package procinspect

import (
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLossInUnnamedSinceSparesSuspects: a loss seen by unnamedSince's drain
// (between two takes) keeps the next take from judging the suspects: the
// lost events may be the ones that named them (review, s27).
func TestLossInUnnamedSinceSparesSuspects(t *testing.T) {
	ev, scan := openEventsScanner(t)
	quiet := exec.Command("sleep", "1000")
	if err := quiet.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { quiet.Process.Kill(); quiet.Wait() })
	scan(scan(nil))
	ev.mu.Lock()
	ev.suspect = map[int]bool{quiet.Process.Pid: true}
	ev.suspectWhy = "suspect"
	ev.mu.Unlock()
	loseEvents(t, ev)
	if ev.unnamedSince(quiet.Process.Pid) {
		t.Fatal("unnamedSince trusted a lossy drain")
	}
	if err := unix.SetsockoptInt(ev.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, eventsRcvBuf); err != nil {
		t.Fatal(err)
	}
	ev.take()
	if b := ev.Broken(); b != "" {
		t.Errorf("events lost in unnamedSince's drain, yet the next take judged the suspects: %s", b)
	}
}

// TestUnnamedSinceAfterLoss: once a drain lost events, unnamedSince vouches
// for nothing until the next rescan's resync, even when a later drain is
// clean (review, s27).
func TestUnnamedSinceAfterLoss(t *testing.T) {
	ev, scan := openEventsScanner(t)
	scan(scan(nil))
	loseEvents(t, ev)
	if ev.unnamedSince(1) {
		t.Fatal("unnamedSince trusted a lossy drain")
	}
	if err := unix.SetsockoptInt(ev.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, eventsRcvBuf); err != nil {
		t.Fatal(err)
	}
	if ev.unnamedSince(1) {
		t.Error("after a loss, a clean drain made unnamedSince vouch for PID 1")
	}
}
