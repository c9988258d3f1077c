package sigtrace

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestPacer: a sleep lasts at least what it was asked; Close ends a sleep
// in progress, and a sleep after Close returns at once, both saying so.
func TestPacer(t *testing.T) {
	p, err := newPacer()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{0, time.Millisecond, 30 * time.Millisecond} {
		start := time.Now()
		if !p.sleep(d) {
			t.Fatalf("sleep(%v) = false before Close", d)
		}
		// The upper bound is generous (a loaded machine): it catches a
		// timer that never fires or sleeps many times too long.
		if took := time.Since(start); took < d || took > 2*time.Second {
			t.Errorf("sleep(%v) took %v", d, took)
		}
	}
	// What a sleep arms, read back from the kernel (not timed; long enough
	// not to expire before it is read): a sleep of d waits no longer than
	// d, and the reader's sleeps are at most Poll, which bounds an event's
	// latency in a storm (the 100 ms).
	if Poll <= 0 || Poll > 100*time.Millisecond {
		t.Errorf("Poll = %v, want at most 100 ms", Poll)
	}
	for _, d := range []time.Duration{time.Second, time.Hour} {
		if !p.arm(d) {
			t.Fatalf("arm(%v) = false before Close", d)
		}
		var cur unix.ItimerSpec
		if err := p.rc.Control(func(fd uintptr) { _ = unix.TimerfdGettime(int(fd), &cur) }); err != nil {
			t.Fatal(err)
		}
		left := time.Duration(unix.TimespecToNsec(cur.Value))
		if left <= 0 || left > d || cur.Interval != (unix.Timespec{}) {
			t.Errorf("armed for %v: %v left, interval %v; want 0 < left <= %v, no interval", d, left, cur.Interval, d)
		}
	}
	if !p.sleep(time.Millisecond) { // consumes the last arming's expiry
		t.Fatal("sleep = false before Close")
	}
	done := make(chan bool)
	go func() { done <- p.sleep(time.Hour) }()
	time.Sleep(50 * time.Millisecond)
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	select {
	case ok := <-done:
		if ok {
			t.Error("a sleep ended by Close returned true")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end a sleep")
	}
	if p.sleep(time.Hour) {
		t.Error("sleep after Close returned true")
	}
}
