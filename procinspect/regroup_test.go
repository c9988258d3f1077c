package procinspect

import (
	"fmt"
	"slices"
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
// same processes (seen), carried or with their status read again. The
// fixture's namespaces stand as if read from ns/pid: a rescan infers an
// inferred one again (nsOf), which groups afresh (the case "inferred").
func rescanOf(s *Snapshot) *Snapshot {
	out := &Snapshot{Root: s.Root, Live: s.Live, byPID: map[int]*Process{}}
	for _, p := range s.Processes {
		c := p.carryCopy(p.ino)
		c.NS, c.NSNote = p.NS, p.NSNote
		out.Processes = append(out.Processes, &c)
		out.byPID[c.PID] = &c
	}
	return out
}

// TestRegroup: a rescan takes the last grouping, with its own processes
// in it, only when grouping afresh would give the same: processes come,
// go, change parent or namespace within the namespaces there were, each
// namespace keeping its level, init and a member seen before whose parent
// was answered. Each accepted case is compared with grouping afresh.
func TestRegroup(t *testing.T) {
	prev := fxScan(t)
	// As a live rescan has it: every process seen before, and
	// NS_GET_PARENT's answers (a fixture gives none) from the scan before.
	prev.nsParent = map[uint64]nsutil.NSID{}
	for _, ns := range prev.Namespaces {
		if ns.Parent != nil {
			prev.nsParent[ns.ID.Ino] = ns.Parent.ID
		}
	}
	for _, p := range prev.Processes {
		p.seen = true
	}
	prev.prevParent, prev.Namespaces = prev.nsParent, nil
	prev.group(&warnings{})
	prev.prevParent = nil
	last := groupingOf(prev)

	afresh := func(change func(s *Snapshot)) *Snapshot {
		s := rescanOf(prev)
		change(s)
		s.inferNS()
		s.prevParent = prev.nsParent
		s.group(&warnings{})
		return s
	}
	byPID := func(s *Snapshot, pid int) *Process { return s.byPID[pid] }
	drop := func(pid int) func(s *Snapshot) {
		return func(s *Snapshot) {
			s.Processes = slices.DeleteFunc(s.Processes, func(p *Process) bool { return p.PID == pid })
			delete(s.byPID, pid)
		}
	}
	add := func(pid int, ns nsutil.NSID, nspid []int, ppid int) func(s *Snapshot) {
		return func(s *Snapshot) {
			p := &Process{PID: pid, NS: ns, Status: &Status{Name: "new", NSpid: nspid, PPid: KnownInt(ppid)}}
			p.noteStatus()
			s.Processes = append(s.Processes, p)
			slices.SortFunc(s.Processes, func(a, b *Process) int { return a.PID - b.PID })
			s.byPID[pid] = p
		}
	}
	ct, host := nsutil.NSID{Ino: fxCtNS}, nsutil.NSID{Ino: fxHostNS}
	for i := range prev.Namespaces {
		if prev.Namespaces[i].ID.Ino == fxCtNS {
			ct = prev.Namespaces[i].ID
		}
		if prev.Namespaces[i].ID.Ino == fxHostNS {
			host = prev.Namespaces[i].ID
		}
	}
	pid := 4250 // in the container's namespace, its parent 4242 (its init)
	// inferred: p's ns/pid was unreadable, its namespace inferred: a
	// rescan carries it with the namespace zero, to infer again (nsOf).
	inferred := func(pid int) func(s *Snapshot) {
		return func(s *Snapshot) {
			q := *byPID(s, pid)
			q.nsWhy = "permission denied"
			*byPID(s, pid) = q.carryCopy(q.ino)
			if !byPID(s, pid).NS.IsZero() {
				t.Fatalf("PID %d: an inferred namespace carried over", pid)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		change func(s *Snapshot)
		copied bool
	}{
		{"nothing changed", func(s *Snapshot) {}, true},
		{"another parent", func(s *Snapshot) { restatusOf(byPID(s, pid), func(st *Status) { st.PPid = KnownInt(1) }) }, true},
		{"another namespace", func(s *Snapshot) { byPID(s, pid).NS = host }, true},
		{"not seen before", func(s *Snapshot) { byPID(s, pid).seen = false }, true},
		{"a process gone", drop(pid), true},
		{"a process come", add(4251, ct, []int{4251, 12}, 4242), true},
		{"a second init, after the first", func(s *Snapshot) {
			restatusOf(byPID(s, pid), func(st *Status) { st.NSpid = []int{pid, 1} })
			byPID(s, pid).noteStatus()
		}, true},
		// Inferred again as a full scan infers it (Scan runs inferNS
		// before regroup): the same namespace, so the same grouping.
		{"inferred", inferred(pid), true},
		{"inferred at level 0", inferred(1), true},
		// Not even inferred: no NSpid to tell its level by.
		{"namespace unknown", func(s *Snapshot) {
			p := byPID(s, pid)
			p.NS = nsutil.NSID{}
			restatusOf(p, func(st *Status) { st.NSpid = nil })
		}, false},
		{"the init gone", drop(4242), false},
		{"the init not seen before", func(s *Snapshot) { byPID(s, 4242).seen = false }, false},
		{"a namespace's last process gone", drop(6000), false},
		{"a namespace born", add(4251, nsutil.NSID{Ino: 4026539999}, []int{4251, 1}, 4242), false},
		{"another level", func(s *Snapshot) { restatusOf(byPID(s, 4210), func(st *Status) { st.NSpid = []int{4210} }) }, false},
	} {
		s := rescanOf(prev)
		tc.change(s)
		s.inferNS()
		if got := s.regroup(prev); got != tc.copied {
			t.Errorf("%s: copied %v, want %v", tc.name, got, tc.copied)
			continue
		}
		if groupingOf(prev) != last {
			t.Fatalf("%s: the copy changed the last snapshot's grouping", tc.name)
		}
		if !tc.copied {
			continue
		}
		if want := groupingOf(afresh(tc.change)); groupingOf(s) != want {
			t.Errorf("%s: the copied grouping:\n%s\ngrouped afresh:\n%s", tc.name, groupingOf(s), want)
		}
		for i, ns := range s.Namespaces {
			if ns == prev.Namespaces[i] {
				t.Errorf("%s: namespace %s is the last snapshot's, not a copy", tc.name, ns.ID)
			}
			if ns.Init != nil && s.byPID[ns.Init.PID] != ns.Init {
				t.Errorf("%s: namespace %s: its init is not this snapshot's PID %d", tc.name, ns.ID, ns.Init.PID)
			}
			for _, p := range ns.Procs {
				if s.byPID[p.PID] != p || s.NamespaceOf(p) != ns {
					t.Errorf("%s: namespace %s: PID %d is not this snapshot's, or not in it", tc.name, ns.ID, p.PID)
				}
			}
			if ns.Parent != nil && s.NamespaceOf(ns.Parent.Procs[0]) != ns.Parent {
				t.Errorf("%s: namespace %s: its parent is not this snapshot's", tc.name, ns.ID)
			}
		}
		for _, p := range prev.Processes {
			if s.NamespaceOf(p) != nil {
				t.Errorf("%s: PID %d of the last snapshot has a namespace in this one", tc.name, p.PID)
			}
		}
	}
	delete(prev.nsParent, fxCtNS)
	if rescanOf(prev).regroup(prev) {
		t.Errorf("copied with a namespace's parent not answered last time")
	}
}

// restatusOf gives p a changed copy of its status, as a scan's new reading
// would: a carried process shares its reading with the last snapshot's.
func restatusOf(p *Process, f func(*Status)) {
	st := *p.Status
	f(&st)
	p.Status = &st
}
