package procinspect

// Rescans that cost what changed (Scanner.Prev). A rescan lists the procfs
// (or derives the listing from the kernel's process events: events.go)
// and reads in full only the processes it has not seen; for the others the
// previous snapshot's reading stands, but for the facts that can change
// where they are shown.
//
// The same process: each listed PID comes with its /proc/PID directory's
// inode number (d_ino, listProcs). The kernel gives a PID directory its
// inode when it first needs one and ties it to that process's struct pid
// for the inode's life: when the process is reaped its /proc/PID dentries
// are flushed (proc_flush_pid) and a lookup of a dead one fails
// (pid_revalidate), so a process that reuses the PID gets a new inode with
// a new number (get_next_ino). The same number for the same PID is the same
// process, without a read. A different number is not proof of another
// process (an unused inode may be evicted and made again): such a PID is
// read afresh in full, which is right either way. Reading stat for every
// PID to compare start times costs as much as reading status (measured:
// 16 µs against 21 µs a file on a 2-core VM), i.e. a whole scan; the start
// time is the identity where it is read anyway: the deep facts below.
//
// What changes without a new process: status (masks, state, threads,
// tracer, UIDs; the name on exec) and the parent (on the parent's death:
// reparenting). A process's PID namespace never changes. So:
//   - namespace inits, the processes asked for (Scanner.Deep: explain's
//     target, the detail view's) or followed (Scanner.Follow: watch's
//     learned ones), and every process read in depth last time have their
//     status read again, and their deep facts (threads,
//     wait states, readers, command line, start time, cgroup) read afresh;
//   - a process whose parent is no longer the same process (gone, or its
//     PID reused), or has exited (a zombie, until it is reaped: every
//     parent of a carried process has its status read again to know) has
//     its status read again: its PPid changed (not while a thread of a
//     parent whose leader exited lives: leaderexit.go);
//   - a process whose namespace is unknown is read afresh in full, so a
//     reparenting that now proves its namespace is seen; one whose
//     namespace was inferred has it inferred again (nsOf), and its
//     ns/pid tried again when its status is read again (an init), as its
//     link may read now; one resolveNS did not take from its namespace's
//     init below level 0 is resolved again (nsOf); for a viewer that is
//     not root, an init's link that read is read again with its status,
//     as it may be closed now;
//   - any other process is carried over as read: its status is as of when
//     it was first read (an exec's new name or new masks are seen once it
//     is shown in detail, or at once while Scanner.Names is set: the UI's
//     filter). Grouping needs only its namespace and PPid.

import (
	"os"
	"slices"
	"sort"
	"syscall"

	"github.com/sigview/sigview/nsutil"
)

// how a listed process is read in a rescan.
type how uint8

const (
	full   how = iota // not seen before: status and namespace
	status            // the same process: its status again, its namespace kept
	carry             // the same process: the last reading stands
)

// step is how one listed process is read, and its previous reading.
type step struct {
	how  how
	prev *Process
}

// prevFor returns the previous snapshot when a rescan may build on it: the
// same live procfs.
func (sc Scanner) prevFor(fs FS) *Snapshot {
	if p := sc.Prev; p != nil && fs.Live && p.Live && p.Root == fs.Root && p.byPID != nil {
		return p
	}
	return nil
}

// plan decides how each listed process is read (see the top of this file).
// named are the PIDs the process events named since the last snapshot,
// when the listing was derived from them (events.go): each has its status
// read again (an exec's name and masks, a new user); with all, every
// process has (events were lost: Scanner.list).
func (sc Scanner) plan(fs FS, ents []entry, asked, named map[int]bool, all bool) []step {
	plan := make([]step, len(ents))
	prev := sc.prevFor(fs)
	if prev == nil {
		return plan
	}
	// ents and prev.Processes are both by PID: one merge, no lookups, over
	// prev's PIDs (pids: no process read but the ones listed again; made
	// here for a snapshot that has none, one Scan did not make).
	ps, pids, j := prev.Processes, prev.pids, 0
	if len(pids) != len(ps) {
		pids = make([]int, len(ps))
		for k, q := range ps {
			pids[k] = q.PID
		}
	}
	for i, e := range ents {
		for j < len(pids) && pids[j] < e.pid {
			j++
		}
		if j == len(pids) || pids[j] != e.pid {
			continue
		}
		q := ps[j]
		// Inode 1 is what proc_fill_cache reports when it could not make
		// the entry's inode (a task being reaped, ENOMEM): no identity.
		if q.ino <= 1 || q.ino != e.ino || q.NS.IsZero() {
			continue
		}
		plan[i] = step{how: carry, prev: q}
		if q.Deep != nil || asked[e.pid] || sc.Names || all || named[e.pid] || q.isInit() {
			plan[i].how = status
		}
	}
	// The same process, by PID: its parent is still its parent. Siblings
	// are mostly listed together: the last parent found is tried first.
	parent := make([]bool, len(ents))
	lastPP, lastK := 0, -1
	for i := range plan {
		st := plan[i]
		if st.how != carry {
			continue
		}
		pp := st.prev.Status.PPid
		if !pp.Known || pp.V <= 0 {
			continue
		}
		k := lastK
		if pp.V != lastPP {
			k = sort.Search(len(ents), func(i int) bool { return ents[i].pid >= pp.V })
			if k == len(ents) || ents[k].pid != pp.V {
				k = -1
			}
			lastPP, lastK = pp.V, k
		}
		if k < 0 || plan[k].how == full {
			plan[i].how = status
		} else {
			parent[k] = true
		}
	}
	// A parent that exits is a zombie until reaped: the same process,
	// whose children the kernel has already given to another. Its status
	// says so (see orphans).
	for i := range ents {
		if plan[i].how == carry && parent[i] {
			plan[i].how = status
		}
	}
	return plan
}

// orphans reads again the status of the processes carried over whose
// parent, read afresh, has exited (a zombie, or dead): the kernel gave them
// another parent when it exited. A parent whose leader exited while
// another of its threads lives is no zombie (leaderexit.go): its children
// stand. A process whose parent is not in the snapshot at all is read
// again too: plan carries a process only when its parent was listed, so
// that parent was reaped between the listing and its read.
//
// missing are the PIDs listed but not read as processes: a carried
// process's parent not in the snapshot is among them (plan). Most rescans
// find no such parent, and look no further.
func (s *Snapshot) orphans(fs FS, missing []int) {
	gone := map[int]*Process{} // nil: not in the snapshot
	for _, pid := range missing {
		gone[pid] = nil
	}
	for _, p := range s.Processes {
		if !p.carried && (p.Status.State == 'Z' || p.Status.State == 'X') {
			gone[p.PID] = p
		}
	}
	if len(gone) == 0 {
		return
	}
	var redo []*Process
	for _, p := range s.Processes {
		pp := p.Status.PPid
		if !p.carried || !pp.Known {
			continue
		}
		if par, ok := gone[pp.V]; ok && (par == nil || !par.groupLives(fs)) {
			redo = append(redo, p)
		}
	}
	for i, p := range redo {
		redo[i] = s.own(p) // share.go
	}
	parallel(len(redo), func(i int) {
		p := redo[i]
		if st, err := fs.Proc(p.PID).readStatus("status"); err == nil {
			p.Status, p.carried = &st, false
			p.noteStatus()
		}
	})
}

// restatus reads again the status of processes carried over unread (the
// children of an init that does not read them in depth: Scan).
func restatus(fs FS, s *Snapshot, ps []*Process) {
	for i, p := range ps {
		ps[i] = s.own(p) // share.go
	}
	parallel(len(ps), func(i int) {
		p := ps[i]
		if st, err := fs.Proc(p.PID).readStatus("status"); err == nil {
			p.Status, p.carried = &st, false
			p.noteStatus()
		}
	})
}

// carryCopy is q carried into a new snapshot unread: what a scan reads for
// every process, not what it reads only in depth.
func (q *Process) carryCopy(ino uint64) Process {
	ns, note := q.nsOf()
	// Clipped: an append (resolveNS) makes a new array, not a write into
	// the shared one's spare room, which another scan built on the same
	// snapshot may write too.
	w := slices.Clip(q.readWarn)
	if q.nsAgain {
		w = nsWarnless(w)
	}
	return Process{PID: q.PID, Status: q.Status, Kthread: q.Kthread, NS: ns, NSNote: note,
		nsDeferred: q.nsAgain, nsByInit: q.nsByInit && !ns.IsZero(),
		StartTime: q.StartTime, ino: ino, readWarn: w, carried: true, seen: true, initMemo: q.initMemo, liveTID: q.liveTID}
}

// nsWarnless is w without its ns/pid warning: the link is read again.
func nsWarnless(w [][2]string) [][2]string {
	if !slices.ContainsFunc(w, func(x [2]string) bool { return x[0] == "unreadable ns/pid" }) {
		return w
	}
	return slices.DeleteFunc(slices.Clone(w), func(x [2]string) bool { return x[0] == "unreadable ns/pid" })
}

// nsOf is what a rescan keeps of q's namespace: a namespace read from
// ns/pid (or proved equal to one read: resolveNS), which never changes for
// a process; an inferred one is not kept but zero again, with why ns/pid
// was unreadable, for inferNS to infer afresh. A namespace named by its
// init's PID becomes its inode once a process below the init reads its
// link, and the inode is forgotten when no such process is left: kept, it
// would split the namespace in two (the init's name and the newcomer's
// inode), or keep a name a full scan no longer gives. Inference runs only
// when some process's link is unreadable: never as root.
//
// Likewise a namespace resolveNS did not take from the init below level 0
// (nsAgain) is not kept but zero, its ns/pid deferred again, for resolveNS
// to take again or read, as a full scan does: taken from a process below
// the init that read its own link, it is true only while that process
// lives, and kept after it exits it would name the init's namespace by an
// inode a full scan no longer knows (initIno); a process whose own link
// was unreadable takes it from the init once the init's link reads. One
// taken from the init (nsByInit) is kept: the init lives as long as any
// process of its namespace. As root every chain ends at an init whose link
// reads: nothing is resolved again.
func (q *Process) nsOf() (nsutil.NSID, string) {
	if q.nsAgain {
		return nsutil.NSID{}, ""
	}
	if q.nsWhy != "" {
		return nsutil.NSID{}, q.nsWhy
	}
	return q.NS, q.NSNote
}

// nonRoot: this viewer is not root, and may lose a process's ns/pid link
// it read (refresh).
var nonRoot = os.Geteuid() != 0

// refresh reads q's status again: the same process, in the same namespace.
func refresh(q *Process, pr Proc, ino uint64) (*Process, error) {
	st, err := pr.readStatus("status")
	if err != nil {
		return nil, err
	}
	// The same inode is the same process: its start time (an engine
	// daemon's, read with its first status) stands.
	ns, note := q.nsOf()
	p := &Process{PID: q.PID, Status: &st, Kthread: q.Kthread, NS: ns, NSNote: note,
		nsDeferred: q.nsAgain, nsByInit: q.nsByInit && !ns.IsZero(), StartTime: q.StartTime, ino: ino, seen: true, liveTID: q.liveTID}
	p.noteStatus()
	if st.Kthread.Known {
		p.Kthread = st.Kthread
	}
	// An inferred namespace (its ns/pid was unreadable) whose status is
	// read again anyway (an init, a process asked for): its link is tried
	// again, as a full scan would, since it may read now (an exec or
	// setuid to the viewer's user). Never as root, whose links read.
	// Likewise an init's link that read may be closed now to a viewer
	// without CAP_SYS_PTRACE (an init of the viewer's that made itself
	// not dumpable): a full scan would infer its namespace. Never as root.
	var nsWarn [][2]string
	reread := (q.nsWhy != "" || nonRoot && q.nsByInit && q.isInit()) && !q.nsAgain
	if reread {
		p.NS, p.nsByInit = nsutil.NSID{}, false
		if err := readNS(p, pr, &nsWarn); err != nil {
			return nil, err
		}
	}
	// The warnings of this read, and the namespace's of the first (or of
	// this read, when the link was read again).
	for _, w := range q.readWarn {
		if w[0] != "malformed status lines" && (!(reread || q.nsAgain) || w[0] != "unreadable ns/pid") {
			p.readWarn = append(p.readWarn, w)
		}
	}
	p.readWarn = append(p.readWarn, nsWarn...)
	if len(st.Problems) > 0 {
		p.readWarn = append(p.readWarn, malformed(p.PID, st))
	}
	return p, nil
}

// started returns the start time the previous snapshot read for p when p
// is the same process (seen: the same PID directory inode, see the top of
// this file) and not asked for afresh; 0 otherwise. A process's start time
// never changes: fork sets it (copy_process), and an exec from another
// thread, which takes over the PID, takes the leader's with it (de_thread,
// fs/exec.c: tsk->start_time = leader->start_time, and start_boottime,
// which stat prints).
func (sc Scanner) started(fs FS, p *Process, asked bool) uint64 {
	prev := sc.prevFor(fs)
	if prev == nil || asked || !p.seen {
		return 0
	}
	if q := prev.byPID[p.PID]; q != nil && q.ino == p.ino && !q.carried {
		return q.StartTime
	}
	return 0
}

// sameExe returns the previous snapshot's reading of p when p is the same
// process (the same PID directory inode) and its executable is still the
// file that reading named (exeIdentity: device, inode, modification time,
// size), and p was not asked for afresh. It is a rescan's one look at the
// exe link of a process it read in depth before: identifyInit takes the
// path that reading found, and reusable what the executable said.
func (sc Scanner) sameExe(p *Process, pr Proc, asked bool) *Process {
	if sc.Prev == nil || asked || p.ino <= 1 {
		return nil
	}
	q := sc.Prev.Process(p.PID)
	if q == nil || q.ino != p.ino || q.Deep == nil || q.Deep.Gone || !q.Deep.exe.known {
		return nil
	}
	if id, ok := exeIdentity(pr.path("exe")); !ok || id != q.Deep.exe {
		return nil
	}
	return q
}

// reusable returns same (sameExe's reading of p) when what its executable
// says (Go build information, libjvm, the exe link) can stand for a new
// read: the same process (sameExe, and a start time read afresh by
// readDetails or kept by keepQuiet) running the same program (exec keeps
// the start time: the same name, command line, and executable file).
// Threads, wait states and readers are never reused: they change without a
// trace in status.
func reusable(p, same *Process) *Process {
	if same == nil || p.StartTime == 0 || same.StartTime != p.StartTime {
		return nil
	}
	if p.Status.Name != same.Status.Name || !slices.Equal(p.Cmdline, same.Cmdline) {
		return nil
	}
	return same
}

// exeIdentity is the executable's file identity: device, inode, and (for a
// file rewritten in place) modification time and size.
func exeIdentity(path string) (exeID, bool) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return exeID{}, false
	}
	return exeID{dev: st.Dev, ino: st.Ino, mtimeNsec: st.Mtim.Nano(), ctimeNsec: st.Ctim.Nano(), size: st.Size, typ: st.Mode & syscall.S_IFMT, known: true}, true
}
