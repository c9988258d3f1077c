package procinspect

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect/engine"
)

// Scanner reads a procfs into Snapshots.
type Scanner struct {
	// Root is the procfs to read: "/proc", a host's /proc bind-mounted into
	// a container, or a fixture directory.
	Root string
	// Deep lists extra PIDs whose threads, fds and waits are read, on top of
	// every namespace init (explain's target).
	Deep []int
	// Follow lists PIDs read in depth as every namespace init is, but not
	// asked for: unlike Deep's, their fd table is read only when it can
	// matter and a rescan may keep what has not changed (reuse.go: quiet,
	// reusable). Watch's learned processes.
	Follow []int
	// Names has a rescan read every process's status again, so that one
	// that exec'd shows its new name (and masks); otherwise an ordinary
	// process carried over keeps its first reading (reuse.go). The UI sets
	// it while a filter is in use: the filter matches process names. It
	// costs a status read per process, as a full scan's.
	Names bool
	// NoMem turns off reading /proc/PID/mem for rt_sigtimedwait wait sets.
	NoMem bool
	// SelfNS is the path of the caller's own PID namespace file; empty
	// means /proc/self/ns/pid. Tests point it elsewhere.
	SelfNS string
	// Prev, when set, is the previous snapshot of the same procfs (the live
	// UI and serve pass their last one): a rescan of a live procfs then
	// reads in full only the processes it has not seen, reads again the
	// status of those whose facts are shown (namespace inits, Deep, the
	// children of an exited parent) and carries the rest over (reuse.go).
	// An init's program facts (Go, JVM) are kept for the same process
	// running the same executable; its threads, readers and waits are
	// always read afresh, and so are the PIDs in Deep.
	Prev *Snapshot
	// Kernel is the measured profile of the kernel the processes run on,
	// passed on to every prediction made from the snapshot; nil when the
	// kernel was not probed.
	Kernel *Kernel
	// Events, when set, are the kernel's process events (OpenEvents): a
	// rescan then derives the listing from Prev's and the events, and
	// reads again the status of the processes they named; it lists the
	// procfs when it cannot trust them (events.go).
	Events *Events
}

// Scan reads every process under the scanner's root. It fails only when the
// root itself cannot be listed; every per-process problem becomes a
// warning, an unknown fact, or (for a process that exited) a count.
func (sc Scanner) Scan() (*Snapshot, error) {
	fs := sc.fs()
	root := fs.Root
	snap := &Snapshot{Root: root, Time: time.Now(), Kernel: sc.Kernel, gen: snapGens.Add(1)}
	snap.Live = fs.Live
	snap.Viewer = sc.viewer()
	ents, named, reread, covered, err := sc.list(fs, snap)
	if err != nil {
		return nil, err
	}
	if !fs.Live {
		if err := checkSelfFD(root); err != nil {
			return nil, err
		}
	}
	var cover *evCover
	if covered {
		cover = &evCover{named: named, ev: sc.Events, gen: sc.Events.generation()}
	}
	var warn warnings
	closed := false
	if snap.Live {
		var unreadable string
		snap.Hidden, unreadable, closed = hidepid(root, nsutil.Self())
		if unreadable != "" {
			warn.add("unreadable mount options (whether hidepid hides processes is unknown)", unreadable)
		}
	}
	asked := map[int]bool{}
	for _, pid := range sc.Deep {
		asked[pid] = true
	}
	snap.Processes = make([]*Process, 0, len(ents))
	var threads []int
	// Under hidepid=1 a process read before may be closed to this reader
	// now, though still listed: only reading it tells (a full scan omits it
	// and warns), so nothing is carried. Nor when the mount's hiding
	// changed (a remount) since the last snapshot.
	var plan []step
	if prev := sc.prevFor(fs); !closed && (prev == nil || prev.Hidden == snap.Hidden) {
		plan = sc.plan(fs, ents, asked, named, reread)
	} else {
		plan = make([]step, len(ents))
	}
	var prevGen uint64
	if prev := sc.prevFor(fs); prev != nil {
		prevGen = prev.gen
	}
	results, shared := readAll(fs, ents, plan, prevGen)
	base := snap.startIndex(sc.prevFor(fs), len(ents), shared)
	var missing []int // listed, and not read as a process
	for i, r := range results {
		if r.p == nil {
			missing = append(missing, ents[i].pid)
		} else if !r.shared {
			r.p.gen = snap.gen
		}
		switch {
		case r.err == errThread:
			threads = append(threads, ents[i].pid)
		case r.p != nil:
			snap.Processes = append(snap.Processes, r.p)
			snap.pids = append(snap.pids, ents[i].pid)
			if !r.shared || base == nil {
				snap.byPID[ents[i].pid] = r.p
			}
			for _, w := range r.p.readWarn {
				warn.add(w[0], w[1])
			}
		case Vanished(r.err):
			snap.Vanished++
		case refused(r.err):
			// Noted in fs's refusals: one warning below.
		default:
			warn.add("unreadable status", reason(r.err))
		}
	}
	snap.endIndex(base)
	if len(threads) > 0 {
		// Not processes: out of the listing the next rescan builds on, and
		// no longer waited for as exited (events.go).
		th := map[int]bool{}
		for _, pid := range threads {
			th[pid] = true
		}
		snap.ents = slices.DeleteFunc(slices.Clone(snap.ents), func(e entry) bool { return th[e.pid] })
		if sc.Events != nil {
			sc.Events.forget(threads)
		}
	}
	snap.orphans(fs, missing)
	if sc.Events != nil {
		sc.Events.zombies(snap)
	}
	snap.Vanished += snap.resolveNS(fs, &warn)
	snap.inferNS()
	if prev := sc.prevFor(fs); !snap.regroup(prev) {
		if prev != nil {
			snap.prevParent = prev.nsParent
		}
		snap.group(&warn)
		snap.prevParent = nil // used by group only: not kept with the snapshot
	}
	deep := map[int]bool{}
	for _, pid := range slices.Concat(sc.Deep, sc.Follow) {
		deep[pid] = true
	}
	for _, ns := range snap.Namespaces {
		if ns.Init != nil {
			deep[ns.Init.PID] = true
		}
	}
	// container: their cgroup is read too (Process.Container): for the
	// namespace inits and the processes asked for or followed, not for the
	// children of a forwarder or shell read in depth, whose container is
	// their init's and shown nowhere.
	readDeepSet := func(pids map[int]bool, container bool) {
		var todo []*Process
		for pid := range pids {
			switch p := snap.byPID[pid]; {
			case p == nil || p.Deep != nil:
			case p.Kthread.V:
				// A kernel thread has no threads, fds or executable of its
				// own to read, but a send needs its start time. Carried
				// over unread, it may be the last snapshot's (share.go).
				p = snap.own(p)
				readDetails(p, fs.Proc(p.PID), nil, 0, nil, container)
			default:
				todo = append(todo, p)
			}
		}
		// In PID order, not the map's: a warning names the first process
		// it was noted for, which must not change from scan to scan.
		slices.SortFunc(todo, func(a, b *Process) int { return a.PID - b.PID })
		// A process shared with the last snapshot is changed in a copy
		// (share.go).
		for i, p := range todo {
			todo[i] = snap.own(p)
		}
		parallel(len(todo), func(i int) {
			p := todo[i]
			pr := fs.Proc(p.PID)
			if p.carried {
				// Carried over from the last scan unread: what a
				// prediction reads from its status may have changed.
				if st, err := pr.readStatus("status"); err == nil {
					p.Status, p.carried = &st, false
					p.noteStatus()
				}
			}
			same := sc.sameExe(p, pr, asked[p.PID])
			if q := sc.quiet(fs, p, asked[p.PID], cover); q != nil {
				// Asleep since it was last read: what only the process
				// can change stands (reuse.go); the rest is read again.
				keepQuiet(p, q, pr, same, container)
			} else {
				readDetails(p, pr, nil, sc.started(fs, p, asked[p.PID]), same, container)
				// Threads, wait states and readers are read every time a
				// process may have run: they change without a trace in
				// status (a signalfd opened later).
				st := *p.Status
				if p.carried {
					st = Status{} // stale: readDeep reads the threads' own
				}
				p.Deep = readDeep(pr, asked[p.PID], st, sc.prevThreads(fs, p, asked[p.PID]), cover != nil)
			}
			// What the executable says (Go, JVM) is kept for the same program.
			if q := reusable(p, same); q != nil {
				p.Deep.Go, p.Deep.Exe, p.Deep.JVM, p.Deep.exe, p.reused = q.Deep.Go, q.Deep.Exe, q.Deep.JVM, q.Deep.exe, true
				return
			}
			readProgram(p, pr)
		})
		for _, p := range todo {
			noteDeep(p, &warn)
		}
	}
	readDeepSet(deep, true)
	// A forwarding init's or a shell's fate depends on its children: link
	// them. A forwarder's children are predicted in turn, so read a few in
	// depth; a shell needs only their status (is the child a background job).
	// A shell's children a rescan carried over unread have their status
	// read again: its trap and stop hint read it (readsChildStatus).
	kids, restat := map[int]bool{}, []*Process{}
	for pid := range deep {
		if p := snap.byPID[pid]; p != nil && p.Deep != nil {
			p.Children = snap.childrenOf(p)
			reads := readsChildren(p)
			shell := !reads && readsChildStatus(p)
			for i, c := range p.Children {
				switch {
				case i >= maxDeepChildren:
				case reads:
					kids[c.PID] = true
				case shell && c.carried && !deep[c.PID]:
					restat = append(restat, c)
				}
			}
		}
	}
	restatus(fs, snap, restat)
	readDeepSet(kids, false)
	// A forwarder's shell child waits for its own command: what a trap does
	// depends on that command (and, when the forwarder signals the process
	// group, the command receives the signal too).
	grand := map[int]bool{}
	for pid := range kids {
		if p := snap.byPID[pid]; p != nil && p.Deep != nil && (Identify(p) == ProgShell || snap.s6Supervised(p, fs)) {
			p.Children = snap.childrenOf(p)
			for i, c := range p.Children {
				if i < maxDeepChildren {
					grand[c.PID] = true
				}
			}
		}
	}
	readDeepSet(grand, false)
	// A systemd that sees a container stops its units by signalling every
	// process of each unit: link the whole tree below it (statuses only).
	for pid := range deep {
		if p := snap.byPID[pid]; p != nil && p.Deep != nil && p.SystemdInit != nil && Identify(p) == ProgSystemd && readsChildren(p) {
			snap.linkSystemdTree(p)
		}
	}
	snap.lookupEngines(&warn)
	for _, r := range fs.refusedFiles() {
		warn.addEach("refused file", r)
	}
	snap.Warnings = warn.lines()
	if snap.Hidden != "" {
		snap.Warnings = append([]string{snap.Hidden}, snap.Warnings...)
	}
	return snap, nil
}

func noteDeep(p *Process, warn *warnings) {
	d := p.Deep
	if d.Gone {
		return
	}
	if d.ThreadsErr != "" {
		warn.add("unreadable threads", d.ThreadsErr)
	}
	if d.FDErr != "" {
		warn.add("unreadable fd table", d.FDErr)
	}
	for _, t := range d.Threads {
		if t.WaitSetErr != "" {
			warn.add("unreadable sigtimedwait set", fmt.Sprintf("PID %d thread %d: %s", p.PID, t.TID, t.WaitSetErr))
		}
	}
}

// errThread: the PID read is a thread's ID, not a process's.
var errThread = errors.New("a thread, not a process")

// readProcess reads the facts every process gets: status and namespace.
// What could not be read well is in the process's readWarn.
func readProcess(pr Proc) (*Process, error) {
	var w [][2]string
	p, err := readProcessWarn(pr, &w)
	if p != nil {
		p.readWarn = w
	}
	return p, err
}

func readProcessWarn(pr Proc, warn *[][2]string) (*Process, error) {
	pid, live := pr.PID, pr.fs.Live
	st, err := pr.readStatus("status")
	if err != nil {
		return nil, err
	}
	p := &Process{PID: pid, Status: &st, Kthread: st.Kthread}
	p.noteStatus()
	if !p.Kthread.Known && (!st.PPid.Known || st.PPid.V == 0 || st.PPid.V == 2) {
		// No Kthread line (older kernels). Every kernel thread is kthreadd
		// (parent 0) or a child of it (PID 2), so only those need stat.
		if b, err := pr.read("stat", maxLine); err == nil {
			p.Kthread = kthreadOf(b)
		}
	}
	if engineDaemons[st.Name] {
		// Its command line is read after the scan (findDaemons): the
		// start time pairs it with this status.
		if b, err := pr.read("stat", maxLine); err == nil {
			p.StartTime, _ = ParseStartTime(b)
		}
	}
	if len(st.Problems) > 0 {
		*warn = append(*warn, malformed(pid, st))
	}
	if isInit, ok := st.IsInit(); live && ok && !isInit && st.Level() >= 0 {
		// Not an init: its namespace is its same-level parent's, which
		// resolveNS reads once per namespace instead of once per process.
		p.nsDeferred = true
		return p, nil
	}
	if err := readNS(p, pr, warn); err != nil {
		return nil, err
	}
	return p, nil
}

// malformed is the warning about a status file's malformed lines.
func malformed(pid int, st Status) [2]string {
	return [2]string{"malformed status lines", fmt.Sprintf("PID %d: %s", pid, strings.Join(st.Problems, "; "))}
}

// readNS reads p's ns/pid link. It fails only when the process is gone.
func readNS(p *Process, pr Proc, warn *[][2]string) error {
	live := pr.fs.Live
	id, err := nsutil.PIDNS(pr.fs.Root, p.PID, live)
	switch {
	case err == nil:
		p.NS, p.NSNote = id, ""
		p.nsByInit = p.Status.Level() > 0 && p.isInit()
	case Vanished(err) && !live:
		// A fixture without an ns link: nothing to say beyond unknown.
		p.NSNote = "no ns/pid link"
	case Vanished(err):
		return fmt.Errorf("%s: %w", pr.path("ns/pid"), ErrGone)
	default:
		p.NSNote = reason(err)
		*warn = append(*warn, [2]string{"unreadable ns/pid", reason(err)})
	}
	return nil
}

// readDetails reads what only a process shown in detail needs: its
// command line, its start time and its container. With quiet set (the same
// process, asleep since: reuse.go), what lives in the process's own memory
// and never changes for a process (command line, environment, start time)
// is quiet's; its container and the files on disk its program reads are
// read again (the container only with container set: readDeepSet).
// started, when not 0, is the process's start time as read
// before (Scanner.started): stat is not read again for it.
func readDetails(p *Process, pr Proc, quiet *Process, started uint64, same *Process, container bool) {
	if !container {
		// Not read (readDeepSet): nil, and no error.
	} else if b, err := pr.read("cgroup", maxCgroup); err == nil {
		c, err := engine.ParseCgroup(b)
		if err != nil {
			p.ContainerErr = reason(err)
		}
		p.Container = c
	} else if !Vanished(err) {
		p.ContainerErr = reason(err)
	}
	if quiet != nil {
		p.Cmdline, p.StartTime = quiet.Cmdline, quiet.StartTime
		if !p.Kthread.Known {
			p.Kthread = quiet.Kthread
		}
		readInitFiles(p, pr, quiet, same)
		return
	}
	p.Cmdline = readCmdline(pr)
	readInitFiles(p, pr, nil, same)
	if started != 0 && p.Kthread.Known {
		p.StartTime = started
	} else if b, err := pr.read("stat", maxLine); err == nil {
		p.StartTime, _ = ParseStartTime(b)
		if !p.Kthread.Known {
			p.Kthread = kthreadOf(b)
		}
	}
}

// ReadOne reads a single process the way Scan does, deep facts included. It
// returns an error wrapping ErrGone when the process does not exist.
func (sc Scanner) ReadOne(pid int) (*Process, error) {
	pr := sc.fs().Proc(pid)
	p, err := readProcess(pr)
	if err == nil && p.nsDeferred {
		p.nsDeferred = false
		err = readNS(p, pr, &p.readWarn)
	}
	if err != nil {
		if Vanished(err) {
			return nil, fmt.Errorf("PID %d: %w", pid, ErrGone)
		}
		return nil, err
	}
	readDetails(p, pr, nil, 0, nil, true)
	p.Deep = readDeep(pr, true, *p.Status, nil, false)
	readProgram(p, pr)
	return p, nil
}

// fs is the procfs the scanner reads.
func (sc Scanner) fs() FS { return NewFS(sc.Root, !sc.NoMem) }
