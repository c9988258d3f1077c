package procinspect

import (
	"slices"
	"sort"
)

// Grouping at rest. A rescan in which no process came, went or changed
// what grouping reads (group.go: its PID, namespace, NSpid and PPid) groups
// as the previous scan did: group is a function of exactly those, and of
// NS_GET_PARENT's answers, which linkParent takes from the previous
// snapshot for a namespace whose member it has seen. So the previous
// snapshot's namespaces are copied, with this scan's processes in them,
// instead of grouped again (20,000 processes: the grouping's maps and
// parent chains were a tenth of the UI's CPU). Anything else groups afresh.

// regroup copies prev's grouping into s when s's processes are prev's,
// one for one, with the same facts grouping reads; it reports whether it
// did.
func (s *Snapshot) regroup(prev *Snapshot) bool {
	if prev == nil || !prev.grouped || len(prev.Processes) != len(s.Processes) {
		return false
	}
	// linkParent asks NS_GET_PARENT again for a namespace whose last
	// answer it does not have (an error): not at rest.
	index := make(map[*Namespace]int, len(prev.Namespaces))
	for i, ns := range prev.Namespaces {
		if ns.ID.IsZero() {
			return false // the unidentified group: inferNS may now tell
		}
		member := ns.Init
		if member == nil && len(ns.Procs) > 0 {
			member = ns.Procs[0]
		}
		if member == nil {
			return false
		}
		if _, ok := prev.nsParent[member.NS.Ino]; member.NS.HasInode() && ns.Level != 0 && !ok {
			return false
		}
		index[ns] = i
	}
	for i, p := range s.Processes {
		q := prev.Processes[i]
		if p.PID != q.PID || !p.seen || p.nsDeferred || p.NS.IsZero() || p.NS != q.NS || q.ns == nil || q.ns.snap != prev {
			return false
		}
		if p.Status.PPid != q.Status.PPid || !sameInts(p.Status.NSpid, q.Status.NSpid) {
			return false
		}
		if _, ok := index[q.ns]; !ok {
			return false
		}
	}
	nss := make([]*Namespace, len(prev.Namespaces))
	for i, o := range prev.Namespaces {
		n := *o
		n.snap, n.Procs, n.Init, n.Parent, n.Children = s, make([]*Process, 0, len(o.Procs)), nil, nil, nil
		nss[i] = &n
	}
	at := func(o *Namespace) *Namespace {
		if o == nil {
			return nil
		}
		return nss[index[o]]
	}
	for i, o := range prev.Namespaces {
		n := nss[i]
		n.Parent = at(o.Parent)
		if o.Children != nil {
			n.Children = make([]*Namespace, len(o.Children))
			for k, c := range o.Children {
				n.Children[k] = at(c)
			}
		}
		if o.Init != nil {
			k := sort.Search(len(prev.Processes), func(k int) bool { return prev.Processes[k].PID >= o.Init.PID })
			n.Init = s.Processes[k]
		}
	}
	for i, p := range s.Processes {
		n := nss[index[prev.Processes[i].ns]]
		p.ns, p.InitialNS = n, n.Initial
		n.Procs = append(n.Procs, p)
	}
	s.Namespaces, s.grouped, s.regrouped, s.nsParent = nss, true, true, prev.nsParent
	return true
}

// sameInts is slices.Equal, without reading a carried copy's elements (the
// same array: one cache miss a process saved).
func sameInts(a, b []int) bool {
	if len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) {
		return true
	}
	return slices.Equal(a, b)
}
