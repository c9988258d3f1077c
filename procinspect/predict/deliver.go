package predict

// Delivery: what complete_signal and get_signal do with a signal that
// passed the send-time checks of predict.go (kernel/signal.c), including
// traced inits, the fatal fast path, handlers and Go programs.

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/sigview/sigview/procinspect"
)

// deliver applies complete_signal and get_signal to a signal that passed
// the send-time checks.
func (e *eval) deliver() Prediction {
	var cands, stopped, waiters []thread
	for _, t := range e.threads {
		blk, ok := e.blockedIn(t)
		if !ok {
			return e.out(VerdictUnknown, OutcomeUnknown, "%s", e.threadUnknown(t))
		}
		curBlk := t.Status.SigBlk.Has(e.sig)
		switch {
		case curBlk:
		case t.Status.State == 'T' || t.Status.State == 't':
			stopped = append(stopped, t)
		default:
			// wants_signal looks at the current mask only: a thread in
			// rt_sigtimedwait for the signal is a candidate, and then it
			// dequeues the signal itself (real_blocked skips the fast path).
			cands = append(cands, t)
			if blk {
				waiters = append(waiters, t)
			}
		}
	}
	if len(cands) == 0 {
		return e.noTaker(stopped)
	}
	// complete_signal offers the signal to the thread kill() named, the
	// main thread (whose TID is the PID), first: after a PID wrap it need
	// not be the lowest TID.
	chosen, leaderTakes := cands[0], false
	for _, t := range cands {
		if t.TID == e.leader.TID {
			chosen, leaderTakes = t, true
		}
	}
	if !leaderTakes {
		// The leader cannot take it; the kernel scans the other threads from
		// signal->curr_target, which /proc does not show.
		switch {
		case len(waiters) == len(cands):
			chosen = waiters[0]
		case len(waiters) > 0:
			return e.out(VerdictUnknown, OutcomeUnknown, "threads %s can take %s, and thread %d waits for it in sigtimedwait while others do not: which one the kernel picks (curr_target) cannot be read from /proc", tidList(cands), e.name, waiters[0].TID)
		}
	}
	if w, _ := e.waitsFor(chosen); w {
		return e.consumed("receives "+e.name+" in sigtimedwait",
			fmt.Sprintf("thread %d of %s waits for %s in sigtimedwait, so the program receives it%s and its own code decides what happens", chosen.TID, e.who, e.name, e.sigwaitCaveat(chosen)))
	}
	if e.traced {
		return e.tracedDelivery()
	}
	switch e.h {
	case hCaught:
		return e.handled()
	case hIgnore:
		return e.out(No, Ignored, "%s ignores %s (SIG_IGN): it is discarded when dequeued", e.who, e.name)
	}
	return e.defaultAction(chosen)
}

// sigwaitCaveat names the one thing /proc cannot show about a sigtimedwait.
func (e *eval) sigwaitCaveat(t thread) string {
	if t.Status.SigBlk.Has(e.sig) {
		return ""
	}
	return " (assuming it blocked " + e.name + " before waiting, as correct programs do: the saved mask is not visible in /proc)"
}

// noTaker handles a signal that no thread can take now.
func (e *eval) noTaker(stopped []thread) Prediction {
	if len(stopped) > 0 {
		if stopped[0].Status.State == 't' || e.traced {
			return e.out(Depends, Deferred, "%s is in a tracing stop (tracer PID %d): %s waits in the queue and the tracer decides", e.who, e.tracer, e.name)
		}
		return e.out(No, Deferred, "%s is stopped (T): %s waits in the queue until a SIGCONT resumes it%s", e.who, e.name, e.afterUnblock("resumed"))
	}
	for _, c := range e.p.Consumers() {
		if c.Kind == "signalfd" && c.Set.Has(e.sig) {
			return e.consumed(fmt.Sprintf("reads %s from signalfd %d", e.name, c.FD),
				fmt.Sprintf("%s blocks %s in every thread and reads it from signalfd %d, so the program receives it and its own code decides what happens", e.who, e.name, c.FD))
		}
	}
	if e.p.Deep != nil && e.p.Deep.FDErr != "" {
		return e.out(VerdictUnknown, OutcomeUnknown, "%s blocks %s in every thread, and whether a signalfd reads it is unknown (%s)", e.who, e.name, e.p.Deep.FDErr)
	}
	if e.p.Deep == nil {
		return e.out(VerdictUnknown, OutcomeUnknown, "%s blocks %s in every thread, and its fds were not read to find a signalfd reader", e.who, e.name)
	}
	return e.out(No, Queued, "%s blocks %s in every thread and nothing reads it, so it stays pending (ShdPnd)%s", e.who, e.name, e.afterUnblock("unblocked"))
}

// afterUnblock says what happens once the signal can be taken.
func (e *eval) afterUnblock(when string) string {
	switch {
	case e.h == hCaught:
		return "; the handler runs once it is " + when
	case e.h == hIgnore || e.sig.DefaultIgnore():
		return ""
	case e.isInit && !e.sig.KernelOnly():
		return "; being an init with the default action, the kernel drops it if it is ever " + when + " (get_signal)"
	}
	return "; the default action (" + e.sig.DefaultAction() + ") follows once it is " + when
}

func (e *eval) tracedDelivery() Prediction {
	then := "the program's handler runs"
	switch {
	case e.h == hIgnore:
		then = "it is ignored"
	case e.h == hDefault && e.isInit:
		return e.tracedInit()
	case e.h == hDefault:
		then = "the default action (" + e.sig.DefaultAction() + ") follows"
	}
	return e.out(Depends, Deferred, "%s is traced by PID %d: the tracer sees %s first and may cancel it, pass it on (then %s) or replace it", e.who, e.tracer, e.name, then)
}

// tracedInit predicts a signal with the default action at a traced init:
// the tracer sees it first (ptrace_signal), and what a passed-on signal
// then does is the measured rule traced_init_passed_on_signal_kills.
func (e *eval) tracedInit() Prediction {
	r := e.k.Rule(procinspect.RuleTracedPassOnKillsInit)
	lead := fmt.Sprintf("%s is traced by PID %d, so the tracer sees %s first (ptrace_signal)", e.who, e.tracer, e.name)
	switch {
	case !r.Value.Known:
		return e.out(VerdictUnknown, OutcomeUnknown, "%s; passed on, a kernel like mainline drops it at the init (get_signal) and the init lives, while a kernel that delivers it kills the init; %s", lead, r.NotMeasured())
	case r.Value.V:
		return e.out(Depends, Deferred, "%s; if the tracer passes it on, this kernel kills the init (rule %s, measured); the tracer may also cancel it", lead, r.Name)
	default:
		return e.out(No, Dropped, "%s; whether the tracer passes it on or cancels it, get_signal then drops it at the init (rule %s, measured on this kernel); only a tracer that substitutes SIGKILL ends it", lead, r.Name)
	}
}

// defaultAction applies complete_signal's fast path and get_signal's
// default handling.
func (e *eval) defaultAction(chosen thread) Prediction {
	switch {
	case e.sig.DefaultIgnore():
		return e.out(No, Ignored, "the default action of %s is to ignore it%s", e.name, contNote(e.sig))
	case e.sig.IsStopSignal():
		if e.isInit {
			return e.out(No, Dropped, "%s is an init with the default action for %s: get_signal drops it", e.who, e.name)
		}
		return e.out(No, Stops, "%s stops on %s (the default action; SIGTSTP, SIGTTIN and SIGTTOU do nothing if its process group is orphaned)", e.who, e.name)
	case e.isInit && e.resumed:
		// Sent while every thread was stopped, complete_signal found no
		// thread to wake and took no fast path; once SIGCONT resumes them,
		// get_signal dequeues it and drops it at the init.
		return e.out(No, Dropped, "%s is an init with the default action for %s, which waited in the queue while it was stopped: no fatal fast path was taken then (complete_signal found every thread stopped), and once resumed get_signal drops it at the init", e.who, e.name)
	case !e.sig.Coredump():
		if e.isInit {
			return e.fastPath(chosen)
		}
		return e.killed(fmt.Sprintf("%s has the default action for %s, which terminates it", e.who, e.name))
	case e.isInit:
		return e.fastPath(chosen)
	default:
		return e.killed(fmt.Sprintf("%s has the default action for %s, which terminates it with a core dump", e.who, e.name))
	}
}

// fastPath predicts a fatal signal with the default action at a
// multi-threaded init whose main thread blocks it while thread chosen does
// not: the main thread's mask let it pass the send-time check, and whether
// complete_signal's fatal fast path then kills an init differs between
// kernel builds (docs/kernel-signals.md §0 item 6), so it is a measured rule.
func (e *eval) fastPath(chosen thread) Prediction {
	name, mainline := procinspect.RuleFastPathKillsInit, "as mainline 6.x does, it dies of it"
	if e.sig.Coredump() {
		name, mainline = procinspect.RuleCoreFastPathKillsInit, "mainline's skips core-dump signals, so get_signal drops it and the init lives"
	}
	r := e.k.Rule(name)
	lead := fmt.Sprintf("%s's main thread blocks %s but thread %d does not", e.who, e.name, chosen.TID)
	switch {
	case !r.Value.Known:
		return e.out(VerdictUnknown, OutcomeUnknown, "%s, so the kernel's fatal fast path (complete_signal) decides, and kernel builds differ: on a build whose fast path spares an init the init survives; %s; %s", lead, mainline, r.NotMeasured())
	case r.Value.V:
		return e.killed(fmt.Sprintf("%s: this kernel's fatal fast path (complete_signal) kills an init (rule %s, measured on this kernel) and with it the whole process", lead, r.Name))
	default:
		return e.out(No, Dropped, "%s: this kernel's fatal fast path (complete_signal) spares an init (rule %s, measured on this kernel), so thread %d dequeues it and get_signal drops it at the init, with nothing left pending; kill() still returns 0", lead, r.Name, chosen.TID)
	}
}

// Go runtime signal classes (runtime/sigtab_linux_generic.go).
func goClass(sig Signal) string {
	switch sig {
	case procinspect.SIGHUP, procinspect.SIGINT, procinspect.SIGTERM:
		return "kill" // _SigKill: re-raise with SIG_DFL, then exit(2)
	case procinspect.SIGQUIT, 4, 5, 6, 7, 8, 11, 16, 31:
		return "throw" // _SigThrow/_SigPanic: traceback, exit(2)
	case procinspect.SIGCONT, procinspect.SIGTSTP, procinspect.SIGTTIN, procinspect.SIGTTOU:
		return "default" // _SigDefault: the runtime installs no handler
	}
	return "notify" // _SigNotify only: dropped unless signal.Notify asked for it
}

// goNotifies reports whether the Go runtime's signal-mask thread exists: it
// is started by the first signal.Notify (runtime ensureSigM) and blocks
// almost every signal; no other Go thread blocks more than a few.
func (e *eval) goNotifies() bool {
	for _, t := range e.threads {
		if bits.OnesCount64(uint64(t.Status.SigBlk.Set)) >= 16 {
			return true
		}
	}
	return false
}

// handled predicts a signal delivered to a handler.
func (e *eval) handled() Prediction {
	if pr, ok := e.knownHandler(); ok { // the program's behaviours, Go's included
		return pr
	}
	return e.out(Depends, Handled, "%s has a handler for %s (SigCgt): it runs, and the program's own code decides whether to exit", e.who, e.name)
}

// goHandled predicts a signal caught by the Go runtime; ok is false for the
// signals it installs no handler for.
func (e *eval) goHandled() (Prediction, bool) {
	if e.goNotifies() {
		return e.out(Depends, Handled, "%s is a Go program that uses signal.Notify: if it asked for %s its own code decides, otherwise the runtime's default applies (which /proc cannot tell apart)", e.who, e.name), true
	}
	switch goClass(e.sig) {
	case "kill":
		if e.isInit {
			return withExit(e.out(Yes, Handled, "%s is a Go program without signal.Notify: the runtime re-raises %s with the default action, the kernel drops that at an init, and the runtime then exits with status 2", e.who, e.name), 2), true
		}
		return withExit(e.out(Yes, Handled, "%s is a Go program without signal.Notify: the runtime re-raises %s with the default action and dies of it", e.who, e.name), 128+int(e.sig)), true
	case "throw":
		return withExit(e.out(Yes, Handled, "%s is a Go program without signal.Notify: on %s the runtime prints a goroutine dump and exits with status 2", e.who, e.name), 2), true
	case "notify":
		return e.out(No, Handled, "%s is a Go program without signal.Notify: the runtime catches %s and does nothing with it", e.who, e.name), true
	}
	return Prediction{}, false
}

func tidList(ts []thread) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = fmt.Sprint(t.TID)
	}
	return strings.Join(s, ", ")
}

// stateName spells out a state letter.
func stateName(s byte) string {
	switch s {
	case 'R':
		return "R, running"
	case 'S':
		return "S, sleeping"
	case 'D':
		return "D, uninterruptible sleep"
	case 'T':
		return "T, stopped"
	case 't':
		return "t, tracing stop"
	case 'Z':
		return "Z, zombie"
	case 'X':
		return "X, dead"
	case 'I':
		return "I, idle"
	case 'P':
		return "P, parked"
	case 0:
		return "unknown"
	}
	return procinspect.Printable(string([]byte{s}))
}
