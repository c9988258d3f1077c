package procinspect

import (
	"github.com/sigview/sigview/nsutil"
)

// Grouping what changed. group (group.go) is a function of each process's
// PID, namespace, NSpid and PPid, of whether it was seen before (the same
// process), and of NS_GET_PARENT's answers, which linkParent takes from the
// previous snapshot for a namespace whose member it has seen. When a rescan
// finds the same namespaces, each namespace keeps its level, its init and
// a member seen before whose parent was answered, and every process's
// namespace is known (nothing to infer), grouping afresh would give the
// previous snapshot's namespaces with this scan's processes in them: each
// process in the namespace its ns/pid names (a process unchanged since, in
// the one it was in), by PID. regroup builds exactly that (20,000
// processes: the grouping's maps and parent chains were a tenth of the
// UI's CPU); anything else is grouped afresh.

// regroup copies prev's grouping into s when grouping s afresh would give
// the same (see above); it reports whether it did.
func (s *Snapshot) regroup(prev *Snapshot) bool {
	if prev == nil || !prev.grouped {
		return false
	}
	index := make(map[*Namespace]int, len(prev.Namespaces))
	byKey := make(map[nsutil.NSID]int, len(prev.Namespaces))
	for i, ns := range prev.Namespaces {
		if ns.ID.IsZero() {
			return false // the unidentified group: inferNS may now tell
		}
		index[ns] = i
		byKey[nsKey(ns.ID)] = i
	}
	// Each process's namespace: the one its identity names (group), as
	// in prev a process is in its namespace's group (NamespaceOf).
	at := make([]int32, len(s.Processes))
	for k, p := range s.Processes {
		if p.nsDeferred || p.NS.IsZero() {
			return false
		}
		i, ok := byKey[nsKey(p.NS)]
		if !ok {
			return false // a namespace born
		}
		at[k] = int32(i)
	}
	nss := make([]*Namespace, len(prev.Namespaces))
	for i, o := range prev.Namespaces {
		n := *o
		n.Procs, n.Init, n.Parent, n.Children = nil, nil, nil, nil
		nss[i] = &n
	}
	level := make([]int, len(nss))
	for i := range level {
		level[i] = -1
	}
	for k, p := range s.Processes {
		i := at[k]
		n := nss[i]
		if n.Procs == nil {
			n.Procs = make([]*Process, 0, len(prev.Namespaces[i].Procs)+1)
		}
		n.Procs = append(n.Procs, p)
		if level[i] < 0 && p.Status.Level() >= 0 {
			level[i] = p.Status.Level()
		}
		if n.Init == nil && p.isInit() {
			n.Init = p
		}
	}
	// Each namespace as group would make it: its level and init as before,
	// and its parent asked of a member seen before, answered last time.
	for i, o := range prev.Namespaces {
		n := nss[i]
		if len(n.Procs) == 0 || level[i] != o.Level {
			return false // a namespace died, or its level is another's
		}
		if (n.Init == nil) != (o.Init == nil) || n.Init != nil && n.Init.PID != o.Init.PID {
			return false
		}
		if o.Level == 0 {
			continue // "top of this procfs"
		}
		member := n.Init
		if member == nil {
			member = n.Procs[0]
		}
		if !member.NS.HasInode() || !member.seen {
			return false // the parent chain, or a new NS_GET_PARENT
		}
		if _, ok := prev.nsParent[member.NS.Ino]; !ok {
			return false
		}
	}
	at2 := func(o *Namespace) *Namespace {
		if o == nil {
			return nil
		}
		return nss[index[o]]
	}
	for i, o := range prev.Namespaces {
		n := nss[i]
		n.Parent = at2(o.Parent)
		if o.Children != nil {
			n.Children = make([]*Namespace, len(o.Children))
			for k, c := range o.Children {
				n.Children[k] = at2(c)
			}
		}
	}
	s.Namespaces, s.grouped, s.regrouped, s.nsParent = nss, true, true, prev.nsParent
	s.byNS = make(map[nsutil.NSID]*Namespace, len(nss))
	for _, n := range nss {
		s.byNS[nsKey(n.ID)] = n
	}
	for k, p := range s.Processes {
		n := nss[at[k]]
		switch {
		case s.owns(p):
			p.InitialNS = n.Initial
		case p.InitialNS != n.Initial:
			// Shared, and in its namespace's group (byNS) as group
			// puts it; its InitialNS is the namespace's (share.go).
			s.own(p).InitialNS = n.Initial
		}
	}
	return true
}
