package predict

import "github.com/sigview/sigview/procinspect"

// Reassess is Assess building on the last scan's assessments (prev; nil
// means none): an init whose reading holds the same facts as the same
// PID's last time (procinspect.SameFacts: every exported field, its
// threads, children and container included), judged with the same kernel
// profile, keeps its Assessment, now of the new reading. A prediction is a
// function of the process's facts and the kernel profile alone (no clock,
// no other input: the package is pure), so the kept one is what Assess
// would make. The live UI and serve reassess every refresh; most inits
// have not changed between two.
func Reassess(prev *Assessments, s *procinspect.Snapshot, k *procinspect.Kernel) *Assessments {
	if prev == nil || prev.Snapshot == nil || prev.Kernel != k {
		return Assess(s, k)
	}
	as := &Assessments{Snapshot: s, Kernel: k, of: map[*process]*Assessment{}}
	for _, ns := range s.Namespaces {
		p := ns.Init
		if p == nil {
			continue
		}
		if a := prev.initAt(p.PID); a != nil && a.kernel == k && procinspect.SameFacts(a.Process, p) {
			kept := *a
			kept.Process = p
			as.of[p] = &kept
			continue
		}
		as.of[p] = assess(p, k)
	}
	return as
}

// initAt returns the Assessment of the namespace init with this PID, if
// the snapshot has one.
func (as *Assessments) initAt(pid int) *Assessment {
	p := as.Snapshot.Process(pid)
	if p == nil {
		return nil
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	return as.of[p]
}
