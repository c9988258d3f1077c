package procinspect

// Reuse across rescans: the live UI's scanner keeps an unchanged init's
// deep facts from the previous snapshot (Scanner.Prev).

import (
	"os"
	"slices"
)

// reusable returns the previous snapshot's reading of p when its deep facts
// can stand for a new read: same process (start time), same status facts
// a prediction starts from, and not asked for afresh.
func (sc Scanner) reusable(p *Process, pr Proc, asked bool) *Process {
	if sc.Prev == nil || asked || p.StartTime == 0 {
		return nil
	}
	q := sc.Prev.Process(p.PID)
	if q == nil || q.Deep == nil || q.Deep.Gone || q.StartTime != p.StartTime {
		return nil
	}
	a, b := p.Status, q.Status
	// One thread only: another thread's mask can change while the
	// leader's status stays the same (a Go program calling
	// signal.Notify), and the per-thread facts are what the engine reads.
	if !a.Threads.Known || a.Threads.V != 1 || a.Threads != b.Threads || a.State != b.State || a.TracerPid != b.TracerPid ||
		a.SigPnd != b.SigPnd || a.ShdPnd != b.ShdPnd || a.SigBlk != b.SigBlk || a.SigIgn != b.SigIgn || a.SigCgt != b.SigCgt {
		return nil
	}
	// exec keeps the start time (and may keep the masks): the same
	// program, name and arguments, or a fresh read.
	if a.Name != b.Name || !slices.Equal(p.Cmdline, q.Cmdline) {
		return nil
	}
	if exe, _ := os.Readlink(pr.path("exe")); exe != q.Deep.Exe {
		return nil
	}
	return q
}
