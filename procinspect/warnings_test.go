package procinspect

import (
	"fmt"
	"strings"
	"testing"
)

// TestWarningsAddEach: each untrusted daemon stands on its own line, not
// behind another of its kind (a collapsed line named only the first, so
// a forger's warning could be hidden behind another daemon's), up to
// maxEach; the rest are counted in one line.
func TestWarningsAddEach(t *testing.T) {
	var w warnings
	w.add("unreadable", "PID 1")
	w.add("unreadable", "PID 2")
	for i := range maxEach + 3 {
		w.addEach("untrusted engine daemon", fmt.Sprintf("dockerd (PID %d) is not trusted", 100+i))
	}
	w.addEach("untrusted engine daemon", "dockerd (PID 100) is not trusted") // the same again: one line
	lines := w.lines()
	if len(lines) != 1+maxEach+1 {
		t.Fatalf("%d lines, want %d: %q", len(lines), maxEach+2, lines)
	}
	if lines[0] != "unreadable (2 processes; first: PID 1)" || lines[1] != "untrusted engine daemon (2 processes; first: dockerd (PID 100) is not trusted)" ||
		lines[2] != "untrusted engine daemon: dockerd (PID 101) is not trusted" {
		t.Errorf("lines %q", lines[:3])
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "untrusted engine daemon (past the first 16) (3 processes; first: dockerd (PID 116)") {
		t.Errorf("last line %q", last)
	}
}
