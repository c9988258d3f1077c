package procinspect

// Reuse across rescans: the live UI's scanner keeps an unchanged init's
// deep facts from the previous snapshot (Scanner.Prev).

import (
	"os"
	"slices"
)

// reusable returns the previous snapshot's reading of p when what its
// executable says (Go build information, libjvm) can stand for a new read:
// the same process (start time) running the same program (exec keeps the
// start time: the same name, command line and exe link), and not asked for
// afresh. Threads, wait states and readers are never reused: they change
// without a trace in status.
func (sc Scanner) reusable(p *Process, pr Proc, asked bool) *Process {
	if sc.Prev == nil || asked || p.StartTime == 0 {
		return nil
	}
	q := sc.Prev.Process(p.PID)
	if q == nil || q.Deep == nil || q.Deep.Gone || q.StartTime != p.StartTime {
		return nil
	}
	if p.Status.Name != q.Status.Name || !slices.Equal(p.Cmdline, q.Cmdline) {
		return nil
	}
	if exe, _ := os.Readlink(pr.path("exe")); exe != q.Deep.Exe {
		return nil
	}
	return q
}
