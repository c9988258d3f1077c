package procinspect

import "testing"

// TestFollowedKthreadNotWrittenShared: a followed kernel thread never gets
// Deep, so a rescan carries it over unread and, from the third scan on,
// shares the last snapshot's object (share.go); readDeepSet's kernel
// thread branch reads its details (start time, cgroup) and must do so
// into a copy. A sentinel set on the last snapshot's object, as a reader
// of that snapshot sees it, must survive the rescan.
func TestFollowedKthreadNotWrittenShared(t *testing.T) {
	first, err := Scanner{}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	parents := map[int]bool{}
	for _, p := range first.Processes {
		if p.Status.PPid.Known {
			parents[p.Status.PPid.V] = true
		}
	}
	pid := 0
	for _, p := range first.Processes {
		// A parent's status is read again every rescan (plan): a leaf.
		if p.Kthread.V && p.Status.PPid == KnownInt(2) && !parents[p.PID] {
			pid = p.PID
			break
		}
	}
	if pid == 0 {
		t.Skip("no kernel thread without children in this procfs")
	}
	sc := Scanner{Follow: []int{pid}}
	var last *Snapshot
	shared := false
	for i := range 4 {
		s, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		p := s.Process(pid)
		if p == nil {
			t.Skipf("PID %d gone", pid)
		}
		if last != nil {
			q := last.Process(pid)
			shared = shared || p == q
			if q.StartTime != 1 {
				t.Errorf("scan %d: the last snapshot's PID %d was written (start time sentinel 1 now %d)", i, pid, q.StartTime)
			}
		}
		p.StartTime = 1
		last, sc.Prev = s, s
	}
	t.Logf("PID %d: shared at some rescan: %v", pid, shared)
}
