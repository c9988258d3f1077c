package procinspect

import (
	"errors"
	"fmt"
	"sort"

	"github.com/sigview/sigview/nsutil"
)

// Grouping processes into PID namespaces.
//
// ns/pid names a process's namespace, but it is readable only for one's own
// processes (or with CAP_SYS_PTRACE). NSpid in status is readable by anyone,
// and with PPid it proves most of what ns/pid would say:
//
//   - NSpid lists the process's PID in every namespace from the procfs' own
//     (level 0) down to its own (level len-1); its first field is the PID
//     the procfs names it by.
//   - The last field is 1 exactly for a namespace's init, and a namespace
//     has one init: two inits are two namespaces.
//   - A parent is always in its child's namespace or an ancestor of it: a
//     child is created in its parent's namespace or the one below it
//     (CLONE_NEWPID, unshare, setns), and an orphan is adopted within its
//     parent's namespace (a subreaper at the same level) or by the init of
//     the parent's namespace. Namespaces along one ancestry differ in depth,
//     so a parent at the child's level is in the child's namespace.
//   - So a process belongs to the namespace of its nearest ancestor, through
//     parents at its own level, that is an init or whose ns/pid was read. A
//     chain that first reaches a parent at a lower level (a process that
//     joined with setns), or an invisible parent, proves nothing: such a
//     process stays unidentified rather than be guessed into a namespace.
//   - Every level-0 process is in the procfs' own namespace, whose init is
//     PID 1 of the procfs.
//   - Two processes of one namespace never have the same PID at any level
//     they share, and a parent's level is never deeper than its child's:
//     a pair that breaks this was read across a PID reuse, and is not linked.

// group sorts processes into namespaces and links parents. The identities
// that could not be read are inferred first (inferNS, once per snapshot:
// Scan does it before regroup, which then copies a grouping that holds
// processes whose namespace is inferred).
func (s *Snapshot) group(warn *warnings) {
	byID := map[nsutil.NSID]*Namespace{}
	var unknown *Namespace
	s.grouped, s.byNS = true, byID
	for _, p := range s.Processes {
		var ns *Namespace
		key := nsKey(p.NS)
		switch {
		case p.NS.IsZero():
			if unknown == nil {
				unknown = &Namespace{Level: -1}
			}
			ns = unknown
		case byID[key] != nil:
			ns = byID[key]
		default:
			ns = &Namespace{ID: p.NS, Level: -1}
			byID[key] = ns
		}
		ns.Procs = append(ns.Procs, p)
		if ns == unknown {
			continue
		}
		if ns.Level < 0 && p.Status.Level() >= 0 {
			ns.Level = p.Status.Level()
		}
		if ns.Init == nil && p.isInit() {
			ns.Init = p
		}
	}
	all := make([]*Namespace, 0, len(byID)+1)
	for _, ns := range byID {
		switch {
		case ns.ID.HasInode():
			ns.Initial = KnownFlag(ns.ID.IsInitial())
		case ns.Level > 0:
			// Below another namespace, so not the kernel's first.
			ns.Initial = KnownFlag(false)
		}
		all = append(all, ns)
	}
	// Inodes first, by inode; then namespaces known by their init, by PID.
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].ID, all[j].ID
		if a.HasInode() != b.HasInode() {
			return a.HasInode()
		}
		if a.Ino != b.Ino {
			return a.Ino < b.Ino
		}
		return a.Init < b.Init
	})
	for _, ns := range all {
		s.linkParent(ns, byID)
		for _, p := range ns.Procs {
			if p.InitialNS != ns.Initial {
				s.own(p).InitialNS = ns.Initial
			}
		}
	}
	var roots []*Namespace
	for _, ns := range all {
		if ns.Parent == nil {
			roots = append(roots, ns)
		} else {
			ns.Parent.Children = append(ns.Parent.Children, ns)
		}
	}
	sort.SliceStable(roots, func(i, j int) bool { return roots[i].Level < roots[j].Level })
	var walk func(*Namespace)
	walk = func(ns *Namespace) {
		s.Namespaces = append(s.Namespaces, ns)
		for _, c := range ns.Children {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	if unknown != nil {
		warn.add("processes in an unidentified PID namespace", fmt.Sprintf("%d processes whose ns/pid could not be read, nor their namespace told from NSpid and PPid (first: PID %d: %s)",
			len(unknown.Procs), unknown.Procs[0].PID, unknown.Procs[0].NSNote))
		s.Namespaces = append(s.Namespaces, unknown)
	}
	s.unknownNS = unknown
}

// nsKey is the part of an identity that tells namespaces apart within one
// snapshot (Dev is the same for every stat of one procfs).
func nsKey(id nsutil.NSID) nsutil.NSID { return nsutil.NSID{Ino: id.Ino, Init: id.Init} }

// levelParent returns p's parent when it is visible and provably in p's own
// namespace: at the same NSpid level, p not an init, and the two reads
// consistent. Otherwise it returns nil and why the chain stops there.
func (s *Snapshot) levelParent(p *Process) (*Process, string) {
	st := p.Status
	lvl := st.Level()
	switch {
	case lvl < 0:
		return nil, "its status has no usable NSpid line"
	case st.NSpid[0] != p.PID:
		return nil, fmt.Sprintf("its NSpid starts with %d, not its PID %d in this procfs", st.NSpid[0], p.PID)
	case !st.PPid.Known:
		return nil, "its PPid is unknown"
	case st.PPid.V == 0:
		return nil, "its parent is outside this procfs' namespace (PPid 0)"
	}
	q := s.byPID[st.PPid.V]
	if q == nil {
		return nil, fmt.Sprintf("its parent PID %d is not visible", st.PPid.V)
	}
	ql := q.Status.Level()
	switch {
	case ql < 0:
		return nil, fmt.Sprintf("its parent PID %d has no usable NSpid line", q.PID)
	case ql > lvl:
		return nil, fmt.Sprintf("its parent PID %d reads level %d, deeper than its own %d: the two were read across a PID reuse", q.PID, ql, lvl)
	case ql < lvl:
		return nil, fmt.Sprintf("its parent PID %d is in an enclosing namespace (level %d), so it was created into, or joined, a level-%d namespace that NSpid does not name", q.PID, ql, lvl)
	case q.Status.NSpid[0] != q.PID:
		return nil, fmt.Sprintf("its parent's NSpid starts with %d, not its PID %d", q.Status.NSpid[0], q.PID)
	}
	for i := range st.NSpid {
		if st.NSpid[i] == q.Status.NSpid[i] {
			return nil, fmt.Sprintf("its parent PID %d has the same PID %d at level %d: not one namespace, the two were read across a PID reuse", q.PID, st.NSpid[i], i)
		}
	}
	return q, ""
}

// anchorOf follows p's same-level parent chain (p included) to the first
// process whose namespace was read or which is an init. It returns nil and
// why when the chain ends first. memo holds finished answers.
func (s *Snapshot) anchorOf(p *Process, memo map[*Process]anchor) anchor {
	var path []*Process
	seen := map[*Process]bool{}
	var a anchor
	for q := p; ; {
		if m, ok := memo[q]; ok {
			a = m
			break
		}
		if isInit, _ := q.Status.IsInit(); q.NS.HasInode() || isInit {
			a = anchor{p: q}
			break
		}
		if seen[q] {
			a = anchor{why: fmt.Sprintf("its parent chain loops at PID %d", q.PID)}
			break
		}
		seen[q] = true
		path = append(path, q)
		next, why := s.levelParent(q)
		if next == nil {
			a = anchor{why: why, at: q}
			break
		}
		q = next
	}
	for _, q := range path {
		memo[q] = a
	}
	return a
}

// anchor is where a same-level parent chain ends: at p (an init, or a
// process whose ns/pid was read), or, when p is nil, at process at for the
// reason why.
type anchor struct {
	p   *Process
	at  *Process
	why string
}

// inferNS gives every process whose ns/pid could not be read the namespace
// NSpid and PPid prove (see the top of this file), and leaves the others
// zero with the reason in NSNote. It runs once per snapshot, before
// grouping: a second run would infer again from its own notes.
func (s *Snapshot) inferNS() {
	// Only a process whose namespace is unknown (zero) is inferred: with
	// none, nothing below has work to do; with only level-0 ones (a host
	// whose /proc/1/ns/pid is EACCES even for root), no parent chain is
	// walked: level 0 is the procfs' own namespace.
	var zero []*Process
	chains := false
	for _, p := range s.Processes {
		if p.NS.IsZero() {
			zero = append(zero, p)
			chains = chains || p.Status.Level() > 0
		}
	}
	if len(zero) == 0 {
		return
	}
	// Level 0: the procfs' own namespace; its inode from any level-0 process
	// that reads it (on some hosts /proc/1/ns/pid is EACCES even for root
	// while PID 2's link reads fine).
	rootNS := nsutil.ByInit(1)
	for _, p := range s.Processes {
		if p.Status.Level() == 0 && p.NS.HasInode() {
			rootNS = p.NS
			break
		}
	}
	memo := map[*Process]anchor{}
	// An init whose ns/pid is unreadable takes the inode of a process below
	// it at the same level that reads one.
	initIno := map[*Process]*Process{}
	for _, p := range s.Processes {
		if !chains {
			break
		}
		if p.Status.Level() <= 0 || !p.NS.HasInode() {
			continue
		}
		if isInit, _ := p.Status.IsInit(); isInit {
			continue
		}
		up, _ := s.levelParent(p)
		if up == nil {
			continue
		}
		if a := s.anchorOf(up, memo); a.p != nil && !a.p.NS.HasInode() && initIno[a.p] == nil {
			initIno[a.p] = p
		}
	}
	for _, p := range zero {
		why := p.NSNote
		s.inferOne(p, why, rootNS, memo, initIno)
		if !p.NS.IsZero() {
			p.nsWhy = why
		}
	}
}

// inferOne infers p's namespace (inferNS).
func (s *Snapshot) inferOne(p *Process, why string, rootNS nsutil.NSID, memo map[*Process]anchor, initIno map[*Process]*Process) {
	lvl := p.Status.Level()
	if lvl == 0 {
		p.NS, p.NSNote = rootNS, "inferred ("+why+"): NSpid has one level, like every process of the procfs' own namespace"
		if !rootNS.HasInode() {
			p.NSNote += ", whose init is PID 1; its inode is unknown: no level-0 process's ns/pid is readable"
		}
		return
	}
	a := s.anchorOf(p, memo)
	switch {
	case lvl < 0:
		p.NSNote = "unknown (" + why + "): its status has no usable NSpid line to tell its namespace by"
	case a.p == nil:
		p.NSNote = "unknown (" + why + "): " + a.why
		if a.at != p {
			p.NSNote = fmt.Sprintf("unknown (%s): its ancestor PID %d at the same level: %s", why, a.at.PID, a.why)
		}
	case a.p == p:
		// p is an init whose ns/pid is unreadable.
		if d := initIno[p]; d != nil {
			p.NS, p.NSNote = d.NS, fmt.Sprintf("inferred (%s): the init (last NSpid 1) of the namespace of PID %d, which is below it at the same level and whose ns/pid reads %s", why, d.PID, d.NS)
		} else {
			p.NS, p.NSNote = nsutil.ByInit(p.PID), "named by its init ("+why+"): it is a namespace init (last NSpid 1); the inode is unknown"
		}
	case a.p.NS.HasInode():
		p.NS, p.NSNote = a.p.NS, fmt.Sprintf("inferred (%s): same namespace level as its parent, up the parent chain to PID %d, whose ns/pid reads %s", why, a.p.PID, a.p.NS)
	default:
		id := nsutil.ByInit(a.p.PID)
		if d := initIno[a.p]; d != nil {
			id = d.NS
		}
		p.NS, p.NSNote = id, fmt.Sprintf("inferred (%s): same namespace level as its parent, up the parent chain to PID %d, the namespace's init (last NSpid 1)", why, a.p.PID)
	}
}

// linkParent finds ns's parent: the NS_GET_PARENT ioctl on a live procfs,
// else the namespace of the init's nearest ancestor process one level up,
// else, for level 1, the procfs' own namespace.
func (s *Snapshot) linkParent(ns *Namespace, byID map[nsutil.NSID]*Namespace) {
	if ns.Level == 0 {
		ns.ParentNote = "top of this procfs"
		return
	}
	member := ns.Procs[0]
	if ns.Init != nil {
		member = ns.Init
	}
	if member.NS.HasInode() {
		id, ok := s.prevParent[member.NS.Ino]
		var err error
		if !ok || !member.seen {
			// A namespace's parent never changes, but its inode number is
			// reused once it dies: only a member seen before (the same
			// process, so the same namespace) vouches for the last answer.
			id, err = nsutil.Parent(s.Root, member.PID, s.Live)
		}
		if err == nil {
			if s.nsParent == nil {
				s.nsParent = map[uint64]nsutil.NSID{}
			}
			s.nsParent[member.NS.Ino] = id
			if par := byID[nsKey(id)]; par != nil && par != ns {
				ns.Parent, ns.ParentNote = par, "NS_GET_PARENT"
				return
			}
			ns.ParentNote = "parent " + id.String() + " has no visible process"
			return
		}
		if !errors.Is(err, nsutil.ErrUnsupported) && !errors.Is(err, nsutil.ErrNoParent) && !Vanished(err) {
			ns.ParentNote = reason(err)
		}
	}
	// Fallback: walk up the PPid chain from the init (or any member) to the
	// first process one level up; the init's parent is normally the process
	// that created the namespace.
	seen := map[int]bool{}
	for p := member; p != nil && !seen[p.PID]; p = s.byPID[p.Status.PPid.V] {
		seen[p.PID] = true
		if p.Status.Level() == ns.Level-1 {
			if par := s.NamespaceOf(p); par != nil && !par.ID.IsZero() {
				ns.Parent, ns.ParentNote = par, "NSpid levels along the parent chain"
				return
			}
		}
		if !p.Status.PPid.Known || p.Status.PPid.V == 0 {
			break
		}
	}
	if ns.Level == 1 {
		// Every level-0 process is in the procfs' own namespace, and it is
		// the parent of every level-1 namespace.
		for _, par := range byID {
			if par.Level == 0 {
				ns.Parent, ns.ParentNote = par, "NSpid levels: level 1 is below the procfs' own namespace"
				return
			}
		}
	}
	if ns.ParentNote == "" {
		ns.ParentNote = "not visible"
	}
}

// resolveNS gives every process whose ns/pid read was deferred (see
// readProcess) its namespace: level 0's from one level-0 process that
// reads it, a deeper process's from the first process up its same-level
// parent chain whose link was read (its namespace's init, normally), as
// group.go's levelParent proves them equal. A process the chain does not
// settle has its own link read, as before. It returns how many processes
// turned out to have exited.
func (s *Snapshot) resolveNS(fs FS, warn *warnings) int {
	memo := map[*Process]anchor{}
	var level0 nsutil.NSID
	if nonRoot {
		// A rescan's: a level-0 process carried with the link it read
		// itself, alive (listed). One that took it from another is
		// resolved again (nsAgain): that one may have exited.
		for _, p := range s.Processes {
			if !p.nsDeferred && p.nsWhy == "" && p.Status.Level() == 0 && p.NS.HasInode() {
				level0 = p.NS
				break
			}
		}
	}
	gone := map[*Process]bool{}
	for _, p := range s.Processes {
		if !p.nsDeferred {
			continue
		}
		p.nsDeferred = false
		switch lvl := p.Status.Level(); {
		case lvl == 0 && level0.HasInode():
			// For a viewer that is not root, level 0's inode may have come
			// from a process of its own, as the only one whose link reads:
			// once it exits a full scan infers it (named by PID 1, when
			// the viewer is not in this procfs' level 0: a container
			// given the host's /proc). Root's links all read.
			p.NS, p.nsAgain = level0, nonRoot
			continue
		case lvl > 0:
			if up, _ := s.levelParent(p); up != nil {
				if a := s.anchorOf(up, memo); a.p != nil && a.p.NS.HasInode() {
					// From the init (or one who took it from the init): kept
					// by a rescan; from another: taken again (nsOf).
					p.NS, p.nsByInit, p.nsAgain = a.p.NS, a.p.nsByInit, !a.p.nsByInit
					continue
				}
			}
		}
		var w [][2]string
		if err := readNS(p, fs.Proc(p.PID), &w); err != nil {
			gone[p] = true
			continue
		}
		for _, x := range w {
			warn.add(x[0], x[1])
		}
		p.readWarn = append(p.readWarn, w...)
		// Below level 0 the chain did not settle it (the init's link was
		// unreadable, or it joined the namespace: setns): a full scan
		// would again take it from the chain, which may settle it later
		// (an init that reads now), or read its link, which may read now,
		// or, for a viewer that is not root, no longer (a process of the
		// viewer's that made itself not dumpable, whose inode then no
		// longer names the init's namespace: inferNS).
		p.nsAgain = p.Status.Level() > 0 && (p.NS.IsZero() || nonRoot)
		if p.Status.Level() == 0 && p.NS.HasInode() {
			level0 = p.NS
		}
	}
	if len(gone) > 0 {
		kept, pids := s.Processes[:0], s.pids[:0]
		for _, p := range s.Processes {
			if gone[p] {
				delete(s.byPID, p.PID)
			} else {
				kept = append(kept, p)
				pids = append(pids, p.PID)
			}
		}
		s.Processes, s.pids = kept, pids
	}
	return len(gone)
}
