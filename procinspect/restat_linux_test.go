package procinspect

import (
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// TestRescanRestatsOnlyAShellsChildren: a rescan reads again the status of
// a shell init's children (its trap and stop hint read them:
// TestRescanRereadsShellChild) but carries a sleep init's as read, since no
// prediction for a program that neither is a shell nor reads its children in
// depth looks at them. Re-reading every init's children was a fifth of the
// UI's CPU at 20,000 processes.
func TestRescanRestatsOnlyAShellsChildren(t *testing.T) {
	nstest.NeedNamespaces(t)
	sleeper, _ := startReader(t, true, "sh", "-c", "sleep 1000 & exec sleep 1000")
	shell, _ := startReader(t, true, "sh", "-c", "sleep 1000 & wait")
	sc := Scanner{Root: "/proc"}
	child := func(s *Snapshot, pid int) *Process {
		if p := s.Process(pid); p != nil && len(p.Children) == 1 {
			return p.Children[0]
		}
		return nil
	}
	var first *Snapshot
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		s, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		if p := s.Process(sleeper); p != nil && p.Name() == "sleep" && child(s, sleeper) != nil && child(s, shell) != nil {
			first = s
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inits %d (sleep) and %d (sh) did not each have one child within 30 s", sleeper, shell)
		}
	}
	if pg := Identify(first.Process(shell)); pg != ProgShell {
		t.Fatalf("PID %d is identified as %q, want a shell", shell, pg)
	}
	re := sc
	re.Prev = first
	again, err := re.Scan()
	if err != nil {
		t.Fatal(err)
	}
	switch s, h := child(again, sleeper), child(again, shell); {
	case s == nil || h == nil:
		t.Fatalf("the rescan lost a child: sleep's %v, sh's %v", s, h)
	case !s.carried:
		t.Errorf("the sleep init's child PID %d had its status read again: nothing reads it", s.PID)
	case h.carried:
		t.Errorf("the shell init's child PID %d was carried unread: its trap and stop hint read it", h.PID)
	}
}
