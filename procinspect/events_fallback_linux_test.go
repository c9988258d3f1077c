package procinspect

import (
	"testing"

	"github.com/sigview/sigview/internal/nstest"
)

// TestEventsFallBack: a rescan with process events lists /proc instead of
// trusting them when events were lost (the socket's buffer overflowed:
// ENOBUFS) and when the snapshot it builds on is not the one the last
// events follow; otherwise it derives the listing from them.
func TestEventsFallBack(t *testing.T) {
	nstest.NeedNamespaces(t)
	ev, err := OpenEvents()
	if err != nil {
		nstest.Skip(t, "proc-events", "the process events connector is not usable here: %v", err)
	}
	defer ev.Close()
	sc := Scanner{Root: "/proc", Events: ev}
	scan := func(prev *Snapshot) *Snapshot {
		t.Helper()
		s := sc
		s.Prev = prev
		snap, err := s.Scan()
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	first := scan(nil)
	second := scan(first)
	if EventsDerived(ev) != 1 {
		t.Fatalf("a rescan on the last snapshot did not derive its listing from the events (%d, broken %q)", EventsDerived(ev), ev.Broken())
	}
	// Built on an older snapshot: the events since were taken for another.
	scan(first)
	if n := EventsDerived(ev); n != 1 {
		t.Errorf("a rescan on a snapshot before the last events' derived its listing from them")
	}
	third := scan(second) // second is not the last either: lists
	fourth := scan(third)
	if n := EventsDerived(ev); n != 2 {
		t.Fatalf("a rescan on the last snapshot (after a listing) did not derive: %d", n)
	}
	// Lost events: a buffer too small for what comes.
	loseEvents(t, ev)
	fifth := scan(fourth)
	if n := EventsDerived(ev); n != 2 {
		t.Errorf("a rescan after lost events (ENOBUFS) derived its listing from them")
	}
	if fifth.evGen == 0 || len(fifth.ents) == 0 {
		t.Errorf("the listing after lost events is not one the next events follow: gen %d, %d entries", fifth.evGen, len(fifth.ents))
	}
}
