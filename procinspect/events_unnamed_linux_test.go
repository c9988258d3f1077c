package procinspect

import (
	"os/exec"
	"testing"
	"time"
)

// TestLossInUnnamedSinceSparesSuspects: a loss seen by unnamedSince's drain
// (between two takes) keeps the next take from judging the suspects: the
// lost events may be the ones that named them (review, s27).
func TestLossInUnnamedSinceSparesSuspects(t *testing.T) {
	ev, pid := suspectAfterScans(t)
	loseEvents(t, ev)
	if ev.unnamedSince(pid, ev.generation()) {
		t.Fatal("unnamedSince trusted a lossy drain")
	}
	restoreRcvBuf(t, ev)
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
	if ev.unnamedSince(1, ev.generation()) {
		t.Fatal("unnamedSince trusted a lossy drain")
	}
	restoreRcvBuf(t, ev)
	if ev.unnamedSince(1, ev.generation()) {
		t.Error("after a loss, a clean drain made unnamedSince vouch for PID 1")
	}
}

// TestUnnamedSinceAfterAnotherTake: a second consumer of the same events
// (the UI's send runs a scan of its own) takes what a running rescan's
// unnamedSince would have to see; after any take other than the one the
// rescan followed, unnamedSince vouches for nothing (review, s27: a
// process that execs from a new thread kept its old reading).
func TestUnnamedSinceAfterAnotherTake(t *testing.T) {
	ev, _ := openEventsScanner(t)
	idle := sleeper(t)
	var gen uint64
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		g, _, ok, _ := ev.take()
		if !ok {
			t.Fatalf("events not usable: %s", ev.Broken())
		}
		if gen = g; ev.unnamedSince(idle, gen) {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("PID %d still named 10 s after it started", idle)
		}
	}
	child := exec.Command("/bin/true")
	if err := child.Run(); err != nil {
		t.Fatal(err)
	}
	ev.take() // the other consumer's, which names the child
	if ev.unnamedSince(child.Process.Pid, gen) {
		t.Errorf("PID %d, started after the rescan's take and taken by another, vouched for", child.Process.Pid)
	}
	if ev.unnamedSince(idle, gen) {
		t.Errorf("after another take, unnamedSince still vouches for PID %d", idle)
	}
}
