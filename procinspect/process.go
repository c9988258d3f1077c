package procinspect

import (
	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect/engine"
)

// Process is one process (thread group) as read from a procfs.
type Process struct {
	// PID is the process ID as the procfs being read names it.
	PID int
	// Status is the thread-group leader's /proc/PID/status, never nil. A
	// rescan's carried processes share the last snapshot's reading, so a
	// reading is never changed in place: a new one replaces it.
	Status *Status
	// Cmdline is the argument vector (/proc/PID/cmdline). It is read only
	// for processes shown in detail (namespace inits, explain's target, the
	// same set as Deep); nil otherwise, and when empty (kernel threads,
	// zombies) or unreadable.
	Cmdline []string
	// Env holds the few environment variables a recognised forwarding init
	// reads that change its signal handling (DUMB_INIT_SETSID,
	// TINI_KILL_PROCESS_GROUP, …; see InitOptions), read from
	// /proc/PID/environ of a namespace init only (not of the other
	// processes read in depth, such as an init's children), and only for
	// those programs: nothing else of an environment is kept. EnvErr says
	// why it was not read (for a forwarder that is no namespace init: it
	// is none, and the variables are unknown).
	Env    map[string]string
	EnvErr string
	// S6 is what an s6-svscan namespace init's scan directory holds in
	// .s6-svscan/ (the scripts that replace its default on a signal); for
	// an s6-svscan that is no namespace init, not read and Err says so; nil
	// for any other process, or when the procfs is a copy.
	S6 *S6Files
	// Supervisord is what a supervisord namespace init's configuration
	// file says of stopping its programs; nil for any other process, or
	// when the procfs is a copy.
	Supervisord *SupervisordConf
	// S6Service is what an s6-supervise under an s6-svscan namespace
	// init reads from its service directory; nil for any other process.
	S6Service *S6Service
	// BusyboxInit is what a busybox init namespace init's /etc/inittab
	// says and whether its reboot(2) ends its namespace; nil for any
	// other process, or when the procfs is a copy.
	BusyboxInit *BusyboxInit
	// SystemdInit is whether a systemd namespace init sees a container and
	// whether its reboot(2) ends its namespace; nil for any other process,
	// or when the procfs is a copy.
	SystemdInit *SystemdInit
	// StartTime is field 22 of /proc/PID/stat, in clock ticks after boot.
	// With PID it identifies the process against PID reuse. Read for the
	// same processes as Cmdline; 0 otherwise or when unreadable.
	StartTime uint64
	// Kthread reports whether the process is a kernel thread: from the
	// status file's Kthread line, else from PF_KTHREAD in the flags field of
	// /proc/PID/stat (read for PID 2 and kthreadd's children, and for the
	// processes shown in detail). Unknown when neither was read.
	Kthread Flag
	// NS is the identity of the process's PID namespace; zero when unknown.
	NS nsutil.NSID
	// NSNote says how NS was found when it was not read from ns/pid
	// ("inferred: …"), or why it is unknown.
	NSNote string
	// nsDeferred marks a process whose ns/pid link the scan has not read
	// yet: Snapshot.resolveNS settles it from its namespace's init.
	nsDeferred bool
	// nsWhy, when not empty, marks NS as inferred (Snapshot.inferNS) and
	// not read: it is why ns/pid could not be read. A rescan does not keep
	// an inferred NS but infers it again (nsOf), as a full scan would: what
	// it rests on (the parent chain, which processes read their link) may
	// have changed.
	nsWhy string
	// nsByInit marks NS as its namespace init's own ns/pid link, read by
	// the init or taken from it (resolveNS). nsAgain marks a process whose
	// ns/pid resolveNS settled other than from the init below level 0: NS
	// taken from a process below the init that read its own link (true
	// only while that process lives), or the process's own link read
	// because the chain did not settle it (readable or not). A rescan
	// defers it again for resolveNS (nsOf), as a full scan would.
	nsByInit, nsAgain bool
	// reused marks what the executable says (Deep.Go, Exe, JVM) as taken
	// from the previous snapshot (Scanner.Prev).
	reused bool
	// quiet marks deep facts kept from the previous snapshot for a
	// process that has not run since (reuse.go: quiet).
	quiet bool
	// ino is the inode number of the process's directory when it was
	// listed: with PID, its identity across rescans (reuse.go).
	ino uint64
	// carried marks a process whose status was not read by this scan but
	// taken from the previous one (reuse.go).
	carried bool
	// initMemo notes whether Status says the process is a namespace init
	// (noteStatus): 0 not noted, 1 not an init, 2 an init. A rescan asks
	// it of every process, and NSpid's last field is one cache miss each.
	initMemo uint8
	// seen marks a process the previous snapshot holds too (the same
	// process: reuse.go).
	seen bool
	// liveTID is a thread found alive in a process whose leader exited
	// (leaderexit.go: groupLives), tried first by the next rescan; lives
	// is groupLives's answer for this snapshot: 0 not asked, 1 a thread
	// lives, -1 none.
	liveTID int
	lives   int8
	// gen is the snapshot that made this object (Snapshot.gen): only its
	// scan changes it; later ones may share it (share.go).
	gen uint64
	// readWarn holds the warnings its reading raised (kind, example), which
	// a rescan that carries the reading over raises again.
	readWarn [][2]string
	// InitialNS reports whether the process lives in the kernel's initial
	// PID namespace (the host's). Set by the namespace grouping.
	InitialNS Flag
	// Deep holds the facts read only for processes whose signal fate is
	// predicted (every namespace init, and explain's target). Nil otherwise.
	Deep *Deep
	// Container is the container the process belongs to, from its cgroup
	// path; nil when none matched or it was not read (it is read for the
	// namespace inits and the processes asked for or followed, not for the
	// children of an init that are read in depth: their container is the
	// init's).
	Container *engine.Container
	// ContainerErr says why the cgroup file could not be read.
	ContainerErr string
	// Engine is what the container engine's files say about a namespace
	// init's container (name, image, stop signal and timeout); nil when the
	// process is no such init or its runtime keeps no such files.
	Engine *engine.Metadata
	// Children are the process's children in its own namespace, linked for
	// processes whose prediction may depend on them (namespace inits, and
	// explain's target); nil otherwise.
	Children []*Process
}

// isInit reports whether Status says the process is its namespace's init.
func (p *Process) isInit() bool {
	switch p.initMemo {
	case 1:
		return false
	case 2:
		return true
	}
	v, _ := p.Status.IsInit()
	return v
}

// noteStatus notes what isInit asks of a status just read into p.
func (p *Process) noteStatus() {
	p.initMemo = 1
	if v, _ := p.Status.IsInit(); v {
		p.initMemo = 2
	}
}

// Name returns the command name as the kernel reports it (unescaped; see
// Printable).
func (p *Process) Name() string { return p.Status.Name }

// Deep holds the per-thread and per-fd facts that predictions need.
type Deep struct {
	// Threads lists every thread (task/TID), the leader included, by TID.
	Threads []Thread
	// ThreadsErr says why the thread list could not be read ("" if it was).
	ThreadsErr string
	// Consumers lists the synchronous readers of signals: signalfds and
	// threads waiting in rt_sigtimedwait.
	Consumers []Consumer
	// FDErr says why the fd table could not be read ("" if it was).
	FDErr string
	// Go reports whether the executable is a Go program (it carries Go
	// build information).
	Go Flag
	// Exe is the executable's path as the exe link names it, if readable.
	Exe string
	// JVM reports whether libjvm is mapped (/proc/PID/maps): a Java
	// launcher not named java. Read only for a process whose name sigview
	// does not recognise; unknown otherwise or when unreadable.
	JVM Flag
	// Gone reports that the process exited while these facts were read.
	Gone bool
	// FDsSkipped reports that the fd table was not read because no signal
	// is blocked in every thread, so no signalfd could receive any.
	FDsSkipped bool
	// exe is the executable file's identity when Exe was read.
	exe exeID
}

// Thread is one thread's signal-relevant state.
type Thread struct {
	// TID is the thread ID as the procfs names it.
	TID int
	// Status is /proc/PID/task/TID/status.
	Status Status
	// Syscall is the number of the system call the thread is blocked in, -1
	// when it is blocked but not in a system call or is running, and -2 when
	// unknown (/proc/PID/task/TID/syscall needs ptrace access).
	Syscall int
	// Wchan is the kernel function the thread sleeps in, "" if unknown.
	Wchan string
	// Sigwait reports whether the thread sleeps in rt_sigtimedwait
	// (sigwait, sigwaitinfo, sigtimedwait).
	Sigwait Flag
	// WaitSet is the set the thread waits for in rt_sigtimedwait, read from
	// the caller's memory at the system call's first argument. While the
	// thread waits, the kernel removes these signals from SigBlk and keeps
	// the saved mask (real_blocked) out of sight.
	WaitSet Mask
	// WaitSetErr says why WaitSet could not be read.
	WaitSetErr string
	// ino is the task directory entry's inode number (listTasks), 0 when
	// the task directory was not listed: the thread's identity, as a PID
	// directory's is the process's (reuse.go).
	ino uint64
	// run is the leader's run time when it was read (runTime), 0 for
	// another thread or when unknown: what tells the leader from a thread
	// that exec'd and took its PID (reuse.go: quiet).
	run uint64
}

// Consumers returns the process's synchronous readers (nil if not read).
func (p *Process) Consumers() []Consumer {
	if p.Deep == nil {
		return nil
	}
	return p.Deep.Consumers
}

// Live reports whether the thread can still take a signal (not a zombie or dead).
func (t Thread) Live() bool { return t.Status.State != 'Z' && t.Status.State != 'X' }

// Consumer is a synchronous reader of signals.
type Consumer struct {
	// Kind is "signalfd" or "sigtimedwait".
	Kind string
	// TID is the thread holding the wait (sigtimedwait), or the process's
	// PID for a signalfd (any thread may read it).
	TID int
	// FD is the signalfd's descriptor number, -1 for sigtimedwait.
	FD int
	// Set is the set of signals it accepts.
	Set Mask
}
