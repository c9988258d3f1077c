// Package watch turns the kernel's signal records (procinspect/sigtrace)
// into the events of `sigview watch`: who sent which signal to whom, from
// which vantage, what the kernel did with it at generation and at
// delivery, what became of the target, and whether sigview's prediction
// from the last scan before the event agreed. An Event is complete as far
// as it is known when the signal is generated; what is learnt later (the
// delivery, the fate, the verdict on the prediction) follows as an Update
// naming the event's ID.
package watch

import (
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// Vantages of a sender: predict's inside and host, and two more.
const (
	// FromKernel: the kernel raised the signal itself (si_code); the task
	// that was current is not its sender.
	FromKernel = "kernel"
	// FromOther: the sender's PID namespace is neither the target's nor an
	// ancestor of it (a pidfd passed across namespaces).
	FromOther = "other"
)

// Deliveries: what get_signal did with the signal a thread took. The
// tracepoint fires before get_signal's SIG_IGN and init-protection checks,
// so Dropped and Ignored are inferred from the disposition and the init
// flag the kernel held then.
const (
	Handler = "handler" // a handler ran
	Dropped = "dropped" // an init's default action skipped (init protection)
	Fatal   = "fatal"   // the default action ended the process
	Stopped = "stopped" // the default action stopped it
	Ignored = "ignored" // SIG_IGN, or a default action of ignoring
)

// Party is one side of a signal.
type Party struct {
	// PID is the host's process ID; NSPID the process's PID in its own
	// namespace; PIDNS that namespace's inode.
	PID, NSPID int
	PIDNS      uint64
	// Comm is the command name the kernel held (unescaped: escape with
	// procinspect.Printable before showing).
	Comm string
	// Container names the namespace's container in the last scan (its
	// engine's name, else runtime:short ID; unescaped), "" when unknown or
	// none.
	Container string
}

// Event is one signal generated for a watched process.
type Event struct {
	ID     uint64
	Time   time.Time
	Signal procinspect.Signal
	// Code is the siginfo's si_code.
	Code   int
	Target Party
	// Sender is the task that was current; for From == FromKernel it is
	// not the sender (an interrupt's or another's).
	Sender Party
	From   string
	// Result is the kernel's result at generation (sigtrace.Result's
	// names); Why says, for an ignored signal, why the kernel ignored it.
	Result string
	Why    string
	// Dropped: the kernel dropped the signal at generation because the
	// target is a PID namespace's init with no handler for it (init
	// protection), as opposed to ignoring a signal whose disposition is to
	// ignore it (SIG_IGN, or a default action of ignoring such as
	// SIGCHLD's or SIGURG's), which Result "ignored" also covers. A drop at
	// delivery comes as an Update's Delivery Dropped.
	Dropped bool
	// Delivery is what happened at delivery ("" while not seen); Fate
	// what became of the target ("" while not known).
	Delivery string
	Fate     *Fate
	// Predicted is sigview's prediction for this signal and vantage from
	// the last scan before the event; nil when there is none (Notes say
	// why).
	Predicted *predict.Prediction
	// Agrees says whether the kernel did what was predicted; nil while not
	// judged or when it cannot be.
	Agrees *bool
	// Judging says what the verdict waits for ("delivery", "fate"); ""
	// when judged, or when it cannot be.
	Judging string
	Notes   []string
}

// Fate is what became of the target after the signal.
type Fate struct {
	// Exited: the process ended; ExitCode is what a container runtime
	// reports (the exit code, or 128+N for a death by signal N), and
	// Signal the signal that killed it (0 for an exit).
	Exited   bool
	ExitCode int
	Signal   procinspect.Signal
	// After is how long after the signal it was known.
	After time.Duration
}

// Update completes an earlier event: only the fields it sets are new.
type Update struct {
	ID       uint64
	Time     time.Time
	Delivery string
	Fate     *Fate
	Agrees   *bool
	Note     string
}

// Lost reports records the kernel could not hand over (its ring buffer was
// full): Count more since the last report, Total in all.
type Lost struct {
	Time         time.Time
	Count, Total uint64
}

// Item is what a Watcher emits: an *Event, an *Update or a *Lost.
type Item any
