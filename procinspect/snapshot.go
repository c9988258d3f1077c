package procinspect

// What a scan produces: the Snapshot, its Namespaces, and where sigview
// itself runs.

import (
	"path/filepath"
	"sync"
	"time"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect/engine"
)

// Viewer describes where sigview itself runs.
type Viewer struct {
	// NS is sigview's own PID namespace; zero when unknown.
	NS nsutil.NSID
	// Initial reports whether sigview runs in the host's (initial) PID namespace.
	Initial Flag
	// Err says why NS is unknown.
	Err string
}

// Snapshot is one scan of a procfs.
type Snapshot struct {
	// Root is the procfs that was read.
	Root string
	// Live reports whether Root is a real procfs mount (not a copy or fixture).
	Live bool
	// Time is when the scan started.
	Time time.Time
	// Viewer is where sigview runs.
	Viewer Viewer
	// Processes lists every process read, by PID.
	Processes []*Process
	// Namespaces lists the PID namespaces in tree order: each parent before
	// its children, siblings by inode.
	Namespaces []*Namespace
	// Vanished counts processes that exited while they were read.
	Vanished int
	// Warnings lists facts that could not be read, one line per kind.
	Warnings []string
	// Kernel is the scanner's kernel profile (nil when not probed).
	Kernel *Kernel
	// Hidden says how the procfs' hidepid mount option hides processes
	// from this reader; "" when it hides none (or Root is not live).
	Hidden string
	// EngineRoot is where the engines' files are looked for: the procfs'
	// parent ("/" for /proc, "/host" for /host/proc).
	EngineRoot string
	// EngineFilesSeen reports whether any engine's files were read or any
	// engine's state directory (engine.StateDirs) exists under EngineRoot;
	// when not, every stop is an assumed default.
	EngineFilesSeen bool

	byPID map[int]*Process
	// pids are the PIDs of Processes, in order (a rescan's index: Scan).
	pids []int
	// daemons are the engine daemons' processes and command lines, found
	// once (findDaemons).
	daemonsOnce sync.Once
	daemons     map[string][]daemon
	hostMnt     string // the host's mount namespace link, "" when unknown
	liveMnt     bool   // the procfs is live: a daemon's mount namespace must be known
	// grouped: every process's namespace is its ns field (group), or for
	// a process shared with an earlier snapshot (share.go) byNS's group
	// of its namespace; regrouped: the grouping is the previous
	// snapshot's (regroup).
	grouped, regrouped bool
	// byNS is each namespace group by its identity (nsKey), but for the
	// unidentified one.
	byNS map[nsutil.NSID]*Namespace
	// unknownNS is the group of the processes whose namespace is unknown.
	unknownNS *Namespace
	// gen numbers the snapshot; a process it made (or copied: own) has the
	// same (Process.gen), one it shares with an earlier snapshot another.
	gen uint64
	// kids indexes a large namespace's processes by PPid (childrenOf),
	// made on first use.
	kids map[*Namespace]map[int][]*Process
	// nsParent is each namespace's parent as NS_GET_PARENT said, by
	// inode: a rescan asks again only for a namespace none of whose
	// members it has seen before (linkParent).
	nsParent map[uint64]nsutil.NSID
	// prevParent is the previous snapshot's nsParent.
	prevParent map[uint64]nsutil.NSID
	// ents is the listing the snapshot was read from, listed or derived
	// from process events (kept only with Scanner.Events); evGen is the
	// events' take it follows, 0 when none can follow it (events.go).
	ents  []entry
	evGen uint64
}

// Process returns the process with the given PID, or nil.
func (s *Snapshot) Process(pid int) *Process { return s.byPID[pid] }

// NamespaceOf returns the namespace p was grouped into, or nil.
func (s *Snapshot) NamespaceOf(p *Process) *Namespace {
	if s.grouped {
		// By p's namespace, as group makes the groups, if p is s's:
		// no process points at its group, as one shared with the next
		// snapshot (share.go) would keep this one alive.
		if s.byPID[p.PID] != p {
			return nil
		}
		if p.NS.IsZero() {
			return s.unknownNS
		}
		return s.byNS[nsKey(p.NS)]
	}
	for _, ns := range s.Namespaces {
		for _, q := range ns.Procs {
			if q == p {
				return ns
			}
		}
	}
	return nil
}

// SendsFromInside reports whether a signal sigview sends itself to p
// cannot be told to come from an ancestor of p's PID namespace: p is in
// sigview's own namespace (by inode, or as the procfs' own namespace, which
// is sigview's for the live procfs a sender checks it reads) and that is not
// known to be the host's initial one, where host and inside are one place;
// or where p lives is unknown. A "host" send is refused then: it fails
// closed.
func (s *Snapshot) SendsFromInside(p *Process) bool {
	ns := s.NamespaceOf(p)
	if ns == nil || ns.Level < 0 {
		return true
	}
	viewers := ns.Level == 0 || s.Viewer.NS.HasInode() && ns.ID.HasInode() && ns.ID.Ino == s.Viewer.NS.Ino
	initial := ns.Initial.Known && ns.Initial.V || s.Viewer.Initial.Known && s.Viewer.Initial.V && ns.Level == 0
	return viewers && !initial
}

// NamespaceCount counts the namespaces known to be distinct: every one but
// the group of processes whose namespace is unidentified (it may hold
// several, or belong to one listed). unidentified is the size of that group.
func (s *Snapshot) NamespaceCount() (n, unidentified int) {
	for _, ns := range s.Namespaces {
		if ns.ID.IsZero() {
			unidentified += len(ns.Procs)
		} else {
			n++
		}
	}
	return n, unidentified
}

// Engine returns what the engine's files say about the namespace's
// container, or nil.
func (ns *Namespace) Engine() *engine.Metadata {
	if ns.Init != nil {
		return ns.Init.Engine
	}
	return nil
}

// Container returns the namespace's container: its init's, or nil.
func (ns *Namespace) Container() *engine.Container {
	if ns.Init != nil {
		return ns.Init.Container
	}
	return nil
}

// Namespace is one PID namespace and what is visible of it.
type Namespace struct {
	// ID is the namespace's identity: its inode, or (when no member's
	// ns/pid is readable) its init's PID (nsutil.ByInit); zero for the group
	// of processes whose namespace could not be read or inferred.
	ID nsutil.NSID
	// Level is the depth below the procfs' own namespace (0), from NSpid;
	// -1 when unknown.
	Level int
	// Parent is the namespace above, nil when it is not visible.
	Parent *Namespace
	// ParentNote says how Parent was found ("NS_GET_PARENT", "NSpid") or why
	// it is unknown.
	ParentNote string
	// Initial reports whether this is the kernel's initial PID namespace.
	Initial Flag
	// Init is the namespace's init (last NSpid field 1); nil when it is not
	// visible.
	Init *Process
	// Procs lists the namespace's processes by PID.
	Procs []*Process
	// Children lists the namespaces directly below, by inode.
	Children []*Namespace
}

// maxDeepChildren bounds how many children of a forwarding init or shell
// are read in depth.
const maxDeepChildren = 8

// smallNS is the most processes a namespace may have for childrenOf to
// look through them all rather than index them by PPid.
const smallNS = 256

// childrenOf lists p's children in p's own namespace, by PID.
func (s *Snapshot) childrenOf(p *Process) []*Process {
	ns := s.NamespaceOf(p)
	if ns == nil || ns.ID.IsZero() {
		return nil
	}
	procs := ns.Procs
	if !s.grouped {
		procs = nil
		for _, q := range s.Processes {
			if s.NamespaceOf(q) == ns {
				procs = append(procs, q)
			}
		}
	}
	var out []*Process
	// A namespace of a few processes (a container's) is looked through; a
	// larger one is indexed by PPid once (kids).
	if len(procs) <= smallNS {
		for _, q := range procs {
			if q != p && q.Status.PPid.Known && q.Status.PPid.V == p.PID {
				out = append(out, q)
			}
		}
		return out
	}
	if s.kids == nil {
		s.kids = map[*Namespace]map[int][]*Process{}
	}
	kids := s.kids[ns]
	if kids == nil {
		kids = map[int][]*Process{}
		for _, q := range procs {
			if q.Status.PPid.Known {
				kids[q.Status.PPid.V] = append(kids[q.Status.PPid.V], q)
			}
		}
		s.kids[ns] = kids
	}
	for _, q := range kids[p.PID] {
		if q != p {
			out = append(out, q)
		}
	}
	return out
}

// IsHost reports whether ns is the kernel's initial PID namespace as far
// as sigview can tell: known initial, or the procfs' own namespace when
// sigview itself is known to run in the initial one. A container's own
// namespace, seen from inside it, is not.
func (s *Snapshot) IsHost(ns *Namespace) bool {
	if ns == nil {
		return false
	}
	if ns.Initial.Known {
		return ns.Initial.V
	}
	return ns.ID.IsInitial() || ns.Level == 0 && s.Viewer.Initial.Known && s.Viewer.Initial.V
}

// IsHostInit reports whether p is the machine's own PID 1: the init of
// the host's initial PID namespace (IsHost).
func (s *Snapshot) IsHostInit(p *Process) bool {
	ns := s.NamespaceOf(p)
	return ns != nil && ns.Init == p && s.IsHost(ns)
}

// viewer is where the scanner runs: its own PID namespace (SelfNS).
func (sc Scanner) viewer() Viewer {
	path := sc.SelfNS
	if path == "" {
		path = "/proc/self/ns/pid"
	}
	id, err := nsutil.ParsePath(path, nsutil.IsProcFS(filepath.Dir(filepath.Dir(path))))
	if err != nil {
		return Viewer{Err: reason(err)}
	}
	return Viewer{NS: id, Initial: KnownFlag(id.IsInitial())}
}
