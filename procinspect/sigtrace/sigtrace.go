// Package sigtrace records, from the kernel, every signal generated for the
// processes sigview watches, its delivery and the process's exit: the facts
// behind `sigview watch`. A BPF program on the signal:signal_generate,
// signal:signal_deliver and sched:sched_process_exit BTF tracepoints
// writes them into a ring buffer at the moment the kernel acts, so that the
// sender's PID namespace is known even when the sender (kill, runc kill)
// has exited before anyone could read its /proc.
//
// Nothing is pinned: what Open installs in the kernel goes away when Close
// is called or the process exits, however it exits (SIGKILL included),
// because BPF links and programs live only as long as their descriptors.
package sigtrace

import (
	"fmt"
	"time"
)

// Kind is what a Record reports.
type Kind int

const (
	// Generate: the kernel generated a signal for a task (__send_signal).
	Generate Kind = 1
	// Deliver: a thread of the target took the signal in get_signal, before
	// the SIG_IGN and init-protection checks.
	Deliver Kind = 2
	// Exit: the last thread of a reported process exited.
	Exit Kind = 3
)

// Result is signal_generate's result (enum trace_sig_result).
type Result int

// The kernel's results, in its order.
const (
	Delivered      Result = 0
	Ignored        Result = 1
	AlreadyPending Result = 2
	Overflow       Result = 3
	LoseInfo       Result = 4
)

func (r Result) String() string {
	switch r {
	case Delivered:
		return "delivered"
	case Ignored:
		return "ignored"
	case AlreadyPending:
		return "already_pending"
	case Overflow:
		return "overflow"
	case LoseInfo:
		return "lose_info"
	}
	return fmt.Sprintf("result_%d", int(r))
}

// Relation is where the sender's PID namespace stands to the target's.
type Relation int

const (
	// Same: the sender is in the target's PID namespace.
	Same Relation = 0
	// Ancestor: the sender's namespace is an ancestor of the target's.
	Ancestor Relation = 1
	// Other: neither (a pidfd passed across namespaces, a kernel thread's
	// unrelated current task).
	Other Relation = 2
)

// Task is one side of a signal as the kernel knew it at that moment.
type Task struct {
	// TGID and TID are the host's (initial namespace) process and thread
	// IDs.
	TGID, TID int
	// PIDNS is the inode of the task's active PID namespace; Level its
	// depth (0 for the initial namespace).
	PIDNS uint64
	Level int
	// NSPID is the process's PID in its own namespace.
	NSPID int
	// ViewPID is the process's PID in the reader's view (Options.View:
	// the PID namespace whose /proc sigview scans), 0 when the process is
	// outside that namespace. It equals TGID when the view is the initial
	// namespace.
	ViewPID int
	// Start is when the process started, in nanoseconds since boot (the
	// clock of /proc/PID/stat's starttime, which counts clock ticks).
	Start uint64
	// Comm is the thread's command name, as the kernel holds it (up to 15
	// bytes the process chose: escape before showing).
	Comm string
}

// Handler values of a disposition.
const (
	SigDFL = 0
	SigIGN = 1
)

// Record is one thing the kernel did.
type Record struct {
	Kind Kind
	// Time is when the kernel acted (wall clock, converted from the
	// kernel's monotonic time).
	Time time.Time
	// Signal is the signal number (0 for Exit).
	Signal int
	// Code and Errno are the siginfo's si_code and si_errno (SI_USER for a
	// kill() without siginfo, SI_KERNEL for the kernel's private sends).
	Code, Errno int
	// Result and Group: signal_generate's result, and whether the signal
	// was sent to the whole thread group.
	Result Result
	Group  bool
	// Sender is the task that was current when the signal was generated:
	// the sender of a kill(), but for a signal raised by the kernel in an
	// interrupt or on another's behalf an unrelated task (see FromKernel).
	Sender   Task
	Relation Relation
	// Target is the task the signal was generated for (Generate), the
	// thread taking it (Deliver), or the process that exited (Exit).
	Target Task
	// Handler and SAFlags are the target's disposition of Signal when the
	// kernel acted (SigDFL, SigIGN or a handler's address).
	Handler, SAFlags uint64
	// Unkillable: the target's SIGNAL_UNKILLABLE flag, which the kernel sets
	// on a PID namespace's init (init protection).
	Unkillable bool
	// Blocked is the target thread's blocked mask (bit N-1 for signal N).
	Blocked uint64
	// ExitStatus is the wait status of an Exit (exit code << 8, or the
	// terminating signal).
	ExitStatus int
}

// si_code values (include/uapi/asm-generic/siginfo.h).
const (
	siUser    = 0
	siKernel  = 0x80
	siQueue   = -1
	siTimer   = -2
	siMesgq   = -3
	siAsyncIO = -4
	siSigIO   = -5
	siTkill   = -6
	siDethrd  = -7
)

// FromKernel reports whether the kernel raised the signal itself (SI_KERNEL,
// a positive si_code such as a fault's or SIGCHLD's, a timer, I/O or
// message-queue notification, a de_thread): then the current task at the
// time is not its sender.
func (r Record) FromKernel() bool {
	switch c := r.Code; {
	case c == siKernel, c > 0:
		return true
	case c == siTimer, c == siMesgq, c == siAsyncIO, c == siSigIO, c == siDethrd:
		return true
	}
	return false
}

// Options choose what is recorded. With no PIDs and no namespaces, signals
// to every PID namespace's init (the processes the kernel protects as
// inits); All: to every process.
type Options struct {
	All bool
	// PIDs (host process IDs) and PIDNS (namespace inodes) name the only
	// targets: those processes, and every process of those namespaces.
	PIDs  []int
	PIDNS []uint64
	// Signal records only that signal; 0: any but SIGCHLD (which the
	// kernel sends at every child's exit).
	Signal int
	// View is the PID namespace whose PIDs Task.ViewPID gives (the one
	// whose /proc sigview scans); the zero View is sigview's own.
	View View
}

// View names a PID namespace by its inode.
type View struct{ Ino uint64 }

// Unavailable says why the recorder cannot run on this machine, and what
// would make it work.
type Unavailable struct {
	Why, Fix string
	Err      error
}

func (u *Unavailable) Error() string {
	s := "signal log unavailable: " + u.Why
	if u.Err != nil {
		s += ": " + u.Err.Error()
	}
	if u.Fix != "" {
		s += " (" + u.Fix + ")"
	}
	return s
}

func (u *Unavailable) Unwrap() error { return u.Err }
