package procinspect

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOrphansParentReaped: a carried process whose parent was listed but
// reaped before its status was read (so not in the snapshot) has its own
// status read again, as one whose parent is a zombie does: the kernel gave
// it another parent (a rescan kept PPid 12 against a full scan's 6 in
// TestRescanResolvedThroughExitedAsNonRoot, once in 20 runs). One whose
// parent is there and alive stays carried.
func TestOrphansParentReaped(t *testing.T) {
	root := t.TempDir()
	status := func(pid, ppid string) {
		dir := filepath.Join(root, pid)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := "Name:\tsleep\nState:\tS (sleeping)\nTgid:\t" + pid + "\nPid:\t" + pid + "\nPPid:\t" + ppid + "\n"
		if err := os.WriteFile(filepath.Join(dir, "status"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	status("13", "6") // what it reads now: the init took it
	status("14", "7")
	// The orphan is the last snapshot's object (gen 1), shared (share.go):
	// it is read again into a copy of this snapshot's (gen 2).
	orphan := &Process{PID: 13, Status: &Status{Name: "sleep", State: 'S', PPid: KnownInt(12)}, carried: true, gen: 1}
	parent := &Process{PID: 7, Status: &Status{Name: "sh", State: 'S', PPid: KnownInt(1)}, gen: 2}
	child := &Process{PID: 14, Status: &Status{Name: "sleep", State: 'S', PPid: KnownInt(7)}, carried: true, gen: 2}
	s := &Snapshot{Processes: []*Process{parent, orphan, child}, byPID: map[int]*Process{7: parent, 13: orphan, 14: child}, gen: 2}
	s.orphans(FS{Root: root}, []int{12}) // 12 was listed, not read
	if got := s.byPID[13]; got == orphan || s.Processes[1] != got || got.carried || got.Status.PPid != KnownInt(6) {
		t.Errorf("PID 13, whose parent 12 is gone: carried %v, PPid %v, a copy %v; want read again into a copy, PPid 6", got.carried, got.Status.PPid, got != orphan)
	}
	if !orphan.carried || orphan.Status.PPid != KnownInt(12) {
		t.Errorf("PID 13: the last snapshot's object changed: carried %v, PPid %v", orphan.carried, orphan.Status.PPid)
	}
	if !child.carried || child.Status.PPid != KnownInt(7) {
		t.Errorf("PID 14, whose parent 7 lives: carried %v, PPid %v; want carried, PPid 7", child.carried, child.Status.PPid)
	}
}
