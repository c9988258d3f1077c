package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/watch"
)

// signalModel is a test model with a signal log, after one scan.
func signalModel(t *testing.T, unavailable string) Model {
	t.Helper()
	o := Options{Interval: time.Second, SignalsUnavailable: unavailable}
	if unavailable == "" {
		o.Signals = NewSignalSink()
	}
	m := New(procinspect.Scanner{Root: fixtureRoot, SelfNS: fixtureSelf}, o)
	m = update(t, m, tea.WindowSizeMsg{Width: 160, Height: 40})
	return update(t, m, scanResultMsg{as: assessed(fixtureSnap(t)), took: 5 * time.Millisecond})
}

// TestSignalLog: the recorder's events reach the detail view's "Signals
// received" (with their updates applied), the main view marks the
// namespace whose init dropped one, and l shows the whole log.
func TestSignalLog(t *testing.T) {
	m := signalModel(t, "")
	if strings.Contains(screen(m), "!") {
		t.Fatalf("a mark before any signal:\n%s", screen(m))
	}
	agrees := true
	// A signal the init's disposition ignores (SIGURG with no handler) is
	// not a drop: no mark.
	urg := &watch.Event{ID: 6, Time: time.Now(), Signal: procinspect.Signal(23), From: "host", Result: "ignored",
		Target: watch.Party{PID: 4242, NSPID: 1, PIDNS: ctNS, Comm: "sleep"},
		Sender: watch.Party{PID: 99, PIDNS: 4026531836, Comm: "kill"}, Agrees: &agrees}
	m.opts.Signals.Add(urg)
	m.opts.Signals.Flush()
	m = update(t, m, waitSignals(m.opts.Signals.ch, 0)())
	if strings.Contains(screen(m), "!") {
		t.Fatalf("a mark for a SIGURG the init ignores by default:\n%s", screen(m))
	}
	ev := &watch.Event{ID: 7, Time: time.Now(), Signal: procinspect.SIGTERM, From: "host", Result: "ignored", Dropped: true,
		Target: watch.Party{PID: 4242, NSPID: 1, PIDNS: ctNS, Comm: "sleep"},
		Sender: watch.Party{PID: 99, PIDNS: 4026531836, Comm: "runc\x1b[31m"}, Agrees: &agrees}
	// The sink copies and hands over without waiting; the model takes the batch.
	sink := m.opts.Signals
	sink.Add(ev)
	sink.Add(&watch.Update{ID: 7, Time: time.Now(), Fate: &watch.Fate{After: 2 * time.Second}})
	sink.Flush()
	ev.Result = "changed after it was sent"
	msg := waitSignals(sink.ch, 0)()
	m = update(t, m, msg)

	var marked string
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, "4026532201") {
			marked = l
		}
	}
	if !strings.Contains(marked, "!") {
		t.Errorf("the namespace whose init dropped SIGTERM is not marked:\n%s", screen(m))
	}
	m = selectNS(t, m, ctNS)
	m = press(t, m, "enter")
	m = press(t, m, "G")
	d := screen(m)
	for _, want := range []string{"Signals received", "✓", "SIGTERM", "from 99 runc\\x1b[31m (host): ignored", "still running 2.0 s"} {
		if !strings.Contains(d, want) {
			t.Errorf("the detail view lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "changed after") {
		t.Error("the UI shows the watcher's event, not its copy")
	}
	m = press(t, m, "esc", "l")
	if s := screen(m); !strings.Contains(s, "Signal log") || !strings.Contains(s, "#7") || !strings.Contains(s, "update: fate still running") {
		t.Errorf("l does not show the log:\n%s", s)
	}
	m = press(t, m, "esc")
	if strings.Contains(screen(m), "Signal log") {
		t.Error("esc does not close the log")
	}
}

// TestSignalLogUnavailable: without a recorder the log and the detail view
// say why, and everything else works.
func TestSignalLogUnavailable(t *testing.T) {
	m := signalModel(t, "loading the BPF programs was not permitted (run as root)")
	m = press(t, m, "l")
	if s := screen(m); !strings.Contains(s, "signal log unavailable: loading the BPF programs was not permitted") {
		t.Errorf("the log does not say why:\n%s", s)
	}
	m = press(t, m, "esc")
	m = selectNS(t, m, ctNS)
	m = press(t, m, "enter", "G")
	if s := screen(m); !strings.Contains(s, "signal log unavailable") {
		t.Errorf("the detail view does not say why:\n%s", s)
	}
}

// TestSignalSinkNeverWaits: a UI that does not take batches never blocks
// the recorder; past the bound the oldest items are dropped and counted.
func TestSignalSinkNeverWaits(t *testing.T) {
	s := NewSignalSink()
	done := make(chan struct{})
	go func() {
		for i := 0; i < 20*maxPending; i++ {
			s.Add(&watch.Event{ID: uint64(i)})
			s.Flush()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the sink blocked")
	}
	if n := len(s.batch); n > maxPending {
		t.Errorf("the sink keeps %d items", n)
	}
	for range cap(s.ch) { // what the UI would take: the first batches, whole
		<-s.ch
	}
	s.Flush()
	b := <-s.ch
	if l, ok := b[0].(*watch.Lost); !ok || l.Count == 0 || l.Count+uint64(len(b)-1)+uint64(cap(s.ch)) != 20*maxPending {
		t.Errorf("dropped items are not counted: %T %+v, %d handed over", b[0], b[0], len(b)-1)
	}
}

// TestSignalBatchesMerge: batches queued while the UI was busy (or waiting
// out signalGap) come as one message, so a trickle of signals repaints the
// screen a few times a second at most, and nothing is lost.
func TestSignalBatchesMerge(t *testing.T) {
	sink := NewSignalSink()
	for i := range 3 {
		sink.Add(&watch.Event{ID: uint64(i + 1), Time: time.Now(), Signal: procinspect.SIGTERM})
		sink.Flush()
	}
	msg, ok := waitSignals(sink.ch, 10*time.Millisecond)().(signalsMsg)
	if !ok || len(msg) != 3 {
		t.Fatalf("got %d items in one message (%T); want the 3 queued batches merged", len(msg), msg)
	}
	for i, it := range msg {
		if ev, ok := it.(*watch.Event); !ok || ev.ID != uint64(i+1) {
			t.Errorf("item %d: %+v; want event %d, in order", i, it, i+1)
		}
	}
}
