package procinspect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sigview/sigview/nsutil"
)

// groupingOf is a snapshot's grouping as text: each namespace's identity,
// place, init, processes and children, and each process's namespace.
func groupingOf(s *Snapshot) string {
	var b strings.Builder
	for _, ns := range s.Namespaces {
		par, init := "-", 0
		if ns.Parent != nil {
			par = ns.Parent.ID.String()
		}
		if ns.Init != nil {
			init = ns.Init.PID
		}
		fmt.Fprintf(&b, "%s level %d parent %s (%s) initial %v init %d procs %v children", ns.ID, ns.Level, par, ns.ParentNote, ns.Initial, init, pidsOf(ns.Procs))
		for _, c := range ns.Children {
			fmt.Fprintf(&b, " %s", c.ID)
		}
		b.WriteString("\n")
	}
	for _, p := range s.Processes {
		ns := s.NamespaceOf(p)
		if ns == nil {
			fmt.Fprintf(&b, "PID %d: none\n", p.PID)
			continue
		}
		fmt.Fprintf(&b, "PID %d: %s initial %v\n", p.PID, ns.ID, p.InitialNS)
	}
	return b.String()
}

// rescanOf is s's processes as a rescan at rest reads them: copies of the
// same processes (seen), carried or with their status read again.
func rescanOf(s *Snapshot) *Snapshot {
	out := &Snapshot{Root: s.Root, Live: s.Live, byPID: map[int]*Process{}}
	for _, p := range s.Processes {
		c := p.carryCopy(p.ino)
		out.Processes = append(out.Processes, &c)
		out.byPID[c.PID] = &c
	}
	return out
}

// TestRegroup: a rescan whose processes are the last one's, with the same
// PID, namespace, NSpid and PPid, takes its grouping as a copy; any other
// difference, or a namespace's parent not answered last time, groups
// afresh.
func TestRegroup(t *testing.T) {
	prev := fxScan(t)
	// NS_GET_PARENT's answers, as a live procfs gives them (a fixture
	// gives none: linkParent would ask again).
	prev.nsParent = map[uint64]nsutil.NSID{}
	for _, ns := range prev.Namespaces {
		if ns.Parent != nil {
			prev.nsParent[ns.ID.Ino] = ns.Parent.ID
		}
	}
	want := groupingOf(prev)

	s := rescanOf(prev)
	if !s.regroup(prev) {
		t.Fatalf("a rescan of the same processes grouped afresh")
	}
	if got := groupingOf(s); got != want {
		t.Errorf("the copied grouping:\n%s\nthe last:\n%s", got, want)
	}
	if groupingOf(prev) != want {
		t.Errorf("the copy changed the last snapshot's grouping")
	}
	for i, ns := range s.Namespaces {
		if ns == prev.Namespaces[i] {
			t.Errorf("namespace %s is the last snapshot's, not a copy", ns.ID)
		}
		if ns.Init != nil && s.byPID[ns.Init.PID] != ns.Init {
			t.Errorf("namespace %s: its init is not this snapshot's PID %d", ns.ID, ns.Init.PID)
		}
		for _, p := range ns.Procs {
			if s.byPID[p.PID] != p {
				t.Errorf("namespace %s: PID %d is not this snapshot's", ns.ID, p.PID)
			}
		}
		if ns.Parent != nil && s.NamespaceOf(ns.Parent.Procs[0]) != ns.Parent {
			t.Errorf("namespace %s: its parent is not this snapshot's", ns.ID)
		}
	}
	for _, p := range prev.Processes {
		if s.NamespaceOf(p) != nil {
			t.Errorf("PID %d of the last snapshot has a namespace in this one", p.PID)
		}
	}

	pid := 4250 // in the container's namespace, its parent 4242
	for _, tc := range []struct {
		name   string
		change func(s *Snapshot)
	}{
		{"another parent", func(s *Snapshot) { s.byPID[pid].Status.PPid = KnownInt(1) }},
		{"another NSpid", func(s *Snapshot) { s.byPID[pid].Status.NSpid = []int{pid, 1} }},
		{"another namespace", func(s *Snapshot) { s.byPID[pid].NS = prev.Namespaces[0].ID }},
		{"namespace unknown", func(s *Snapshot) { s.byPID[pid].NS = nsutil.NSID{} }},
		{"not seen before", func(s *Snapshot) { s.byPID[pid].seen = false }},
		{"a process gone", func(s *Snapshot) {
			s.Processes = s.Processes[1:]
		}},
		{"a PID reused", func(s *Snapshot) { s.Processes[1].PID++ }},
		{"no parent answer", func(s *Snapshot) { delete(prev.nsParent, fxCtNS) }},
	} {
		s := rescanOf(prev)
		tc.change(s)
		if s.regroup(prev) {
			t.Errorf("%s: the grouping was copied", tc.name)
		}
	}
}
