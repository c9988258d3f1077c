package sigtrace

import (
	"testing"
	"time"
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
		if took := time.Since(start); took < d {
			t.Errorf("sleep(%v) took %v", d, took)
		}
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
