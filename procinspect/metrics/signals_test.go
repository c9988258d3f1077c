package metrics

// sigview_signals_total's retention, with a clock the test moves: a series
// of an init that is gone is dropped once it has not changed for the
// retention; one of an init still there never is; a dropped series that
// counts again within one more retention resumes its count.

import (
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/watch"
)

func TestSignalsRetention(t *testing.T) {
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	s := NewSignals(true)
	s.now = func() time.Time { return now }
	s.SetRetention(10 * time.Second)
	alive := InitLabels{PIDNS: "4026532201", Runtime: "docker", ContainerID: "aa", ContainerName: "web", Program: "tini"}
	gone := InitLabels{PIDNS: "4026532202", Runtime: "docker", ContainerID: "bb", ContainerName: "db", Program: "other"}
	scan := func(inits ...InitLabels) {
		snap := &Snapshot{}
		for _, l := range inits {
			snap.Inits = append(snap.Inits, Init{Labels: l})
		}
		s.SetInits(snap)
	}
	var id uint64
	signal := func(l InitLabels, sig syscall.Signal) {
		id++
		var ns uint64
		for _, c := range l.PIDNS {
			ns = ns*10 + uint64(c-'0')
		}
		s.Observe(&watch.Event{ID: id, Time: now, Signal: procinspect.Signal(sig), Target: watch.Party{PIDNS: ns},
			From: "host", Result: "ignored"})
	}
	count := func(l InitLabels) float64 {
		t.Helper()
		mf := gather(t, &Collector{opts: Options{Signals: s}})["sigview_signals_total"]
		if mf == nil {
			return -1
		}
		for _, m := range mf.Metric {
			got := map[string]string{}
			for _, lp := range m.Label {
				got[lp.GetName()] = lp.GetValue()
			}
			if got["pidns"] == l.PIDNS && got["program"] == l.Program && got["container_id"] == l.ContainerID {
				return m.GetCounter().GetValue()
			}
		}
		return -1
	}

	scan(alive, gone)
	signal(alive, syscall.SIGTERM)
	signal(gone, syscall.SIGTERM)
	signal(gone, syscall.SIGTERM)
	now = now.Add(5 * time.Second)
	scan(alive) // the second init is gone
	if c := count(gone); c != 2 {
		t.Fatalf("a gone init's series before the retention: %v, want 2", c)
	}
	now = now.Add(5 * time.Second)
	if c := count(gone); c != -1 {
		t.Errorf("a gone init's series unchanged for the retention: %v, want dropped", c)
	}
	if c := count(alive); c != 1 {
		t.Errorf("a live init's series unchanged for the retention: %v, want kept (1)", c)
	}
	// The same labels count again within one more retention: the count
	// resumes (a restart to 1 after 2 would look like no change to
	// increase() over a range that holds both).
	now = now.Add(5 * time.Second)
	scan(alive, gone)
	signal(gone, syscall.SIGTERM)
	if c := count(gone); c != 3 {
		t.Errorf("a dropped series counting again within the retention: %v, want 3 (resumed)", c)
	}
	// Dropped again, then forgotten after a second retention: it restarts.
	now = now.Add(10 * time.Second)
	scan(alive)
	if c := count(gone); c != -1 {
		t.Errorf("dropped again: %v", c)
	}
	now = now.Add(10 * time.Second)
	scan(alive, gone)
	signal(gone, syscall.SIGTERM)
	if c := count(gone); c != 1 {
		t.Errorf("a series forgotten after two retentions, counting again: %v, want 1", c)
	}
	// An init whose labels changed (the event came before a scan saw it,
	// so it was counted as program="other"): the old labels are gone.
	relabelled := alive
	relabelled.Program = "dumb-init"
	now = now.Add(time.Minute)
	scan(relabelled)
	if c := count(alive); c != -1 {
		t.Errorf("a series whose init now has other labels, unchanged for the retention: %v, want dropped", c)
	}
}
