package procinspect

// Processes a rescan shares with the snapshot before it. A process carried
// over unread (reuse.go), whose last reading was itself carried over and
// holds nothing a scan sets afresh (shareable), would be copied field for
// field; at 20,000 processes those copies were half of what a rescan
// allocated, and the garbage collector's work with them. The new snapshot
// takes the last one's object instead. Two rules keep that sound while the
// UI reads the last snapshot as the next one is made:
//   - an object is changed only by the scan that made it (Process.gen is
//     its snapshot's Snapshot.gen): a scan that must change a shared one
//     (its status read again, its deep facts, its children linked) first
//     takes a copy of its own (own), put wherever the snapshot refers to it;
//   - what a snapshot sets on every process for itself is not written into
//     a shared one: InitialNS, which is the same for the same namespace
//     (own'd when it is not). No process points at its namespace group:
//     NamespaceOf finds it by the process's namespace (byNS), as group
//     makes them. A pointer from a process the next snapshot shares to
//     this snapshot's group would keep this whole snapshot alive, and so
//     on down the chain (TestRescanKeepsNoOldSnapshot).

import (
	"maps"
	"slices"
	"sync/atomic"
)

// snapGens numbers the snapshots of this program (Snapshot.gen).
var snapGens atomic.Uint64

// shareable reports whether a rescan may take q itself for a process
// carried over unread, as the same process (the listing's inode ino):
// carryCopy would give q's very fields. q is a process the last scan
// carried over unread too, whose namespace was read (or taken from its
// init) and is kept (nsOf), and on which the last scan set nothing a
// carried copy drops: deep facts, files, its container, children.
func (q *Process) shareable(ino uint64) bool {
	return q.carried && q.seen && q.ino == ino && !q.nsAgain && q.nsWhy == "" && !q.nsDeferred &&
		!q.NS.IsZero() && !q.reused && !q.quiet && q.lives == 0 &&
		q.Cmdline == nil && q.Env == nil && q.EnvErr == "" && q.S6 == nil && q.Supervisord == nil &&
		q.S6Service == nil && q.BusyboxInit == nil && q.SystemdInit == nil && q.Deep == nil &&
		q.Container == nil && q.ContainerErr == "" && q.Engine == nil && q.Children == nil
}

// owns reports whether p is s's own object, which s's scan may change: not
// one shared with an earlier snapshot.
func (s *Snapshot) owns(p *Process) bool { return p.gen == s.gen }

// own returns p as s's own object: p itself when it is, else a copy put in
// p's place wherever s refers to it (its list and index, its namespace
// group, its parent's children), for the scan to change.
func (s *Snapshot) own(p *Process) *Process {
	if s.owns(p) {
		return p
	}
	ns := s.NamespaceOf(p)
	c := new(Process)
	*c = *p
	c.gen = s.gen
	swap := func(ps []*Process) {
		if i, ok := slices.BinarySearchFunc(ps, p.PID, func(q *Process, pid int) int { return q.PID - pid }); ok && ps[i] == p {
			ps[i] = c
		}
	}
	swap(s.Processes)
	if s.byPID[p.PID] == p {
		s.byPID[p.PID] = c
	}
	if ns != nil {
		swap(ns.Procs)
		if ns.Init == p {
			ns.Init = c
		}
	}
	// Linked as a child by its PPid (childrenOf): the reading s holds.
	if pp := p.Status.PPid; pp.Known {
		if ns != nil && s.kids[ns] != nil {
			swap(s.kids[ns][pp.V])
		}
		if par := s.byPID[pp.V]; par != nil {
			swap(par.Children)
		}
	}
	return c
}

// startIndex begins s's index by PID (byPID, pids) for n listed
// processes: when most of them are base's (shared processes), base's index,
// to be changed where s differs (endIndex); 20,000 insertions were a few
// percent of a rescan. It returns base when it did, else nil: every
// process is then entered.
func (s *Snapshot) startIndex(base *Snapshot, n, shared int) *Snapshot {
	s.pids = make([]int, 0, n)
	if base != nil && base.pids != nil && shared > n/2 {
		s.byPID = maps.Clone(base.byPID)
		return base
	}
	s.byPID = make(map[int]*Process, n)
	return nil
}

// endIndex drops from s's index the PIDs of base (startIndex's answer)
// that are none of s's.
func (s *Snapshot) endIndex(base *Snapshot) {
	if base == nil {
		return
	}
	j := 0
	for _, pid := range base.pids {
		for j < len(s.pids) && s.pids[j] < pid {
			j++
		}
		if j == len(s.pids) || s.pids[j] != pid {
			delete(s.byPID, pid)
		}
	}
}
