package procinspect

// Delivery: what complete_signal and get_signal do with a signal that
// passed the send-time checks of predict.go (kernel/signal.c), including
// traced inits, the fatal fast path, handlers and Go programs.

import (
	"fmt"
	"math/bits"
	"strings"
)

// deliver applies complete_signal and get_signal to a signal that passed
// the send-time checks.
func (e *eval) deliver(pr *Prediction) {
	var cands, stopped, waiters []Thread
	for _, t := range e.threads {
		blk, ok := e.blockedIn(t)
		if !ok {
			pr.set(VerdictUnknown, OutcomeUnknown, "%s", e.threadUnknown(t))
			return
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
		e.noTaker(pr, stopped)
		return
	}
	chosen := cands[0]
	if chosen.TID != e.leader.TID {
		// The leader cannot take it; the kernel scans the other threads from
		// signal->curr_target, which /proc does not show.
		switch {
		case len(waiters) == len(cands):
			chosen = waiters[0]
		case len(waiters) > 0:
			pr.set(VerdictUnknown, OutcomeUnknown, "threads %s can take %s, and thread %d waits for it in sigtimedwait while others do not: which one the kernel picks (curr_target) cannot be read from /proc", tidList(cands), e.name, waiters[0].TID)
			return
		}
	}
	if w, _ := e.waitsFor(chosen); w {
		if e.program.Forwarder() {
			e.forward(pr, "receives "+e.name+" in sigtimedwait")
			return
		}
		pr.set(Depends, Consumed, "thread %d of %s waits for %s in sigtimedwait, so the program receives it%s and its own code decides what happens", chosen.TID, e.who, e.name, e.sigwaitCaveat(chosen))
		return
	}
	if e.traced {
		e.tracedDelivery(pr)
		return
	}
	switch e.h {
	case hCaught:
		e.handled(pr)
		return
	case hIgnore:
		pr.set(No, Ignored, "%s ignores %s (SIG_IGN): it is discarded when dequeued", e.who, e.name)
		return
	}
	e.defaultAction(pr, chosen)
}

// sigwaitCaveat names the one thing /proc cannot show about a sigtimedwait.
func (e *eval) sigwaitCaveat(t Thread) string {
	if t.Status.SigBlk.Has(e.sig) {
		return ""
	}
	return " (assuming it blocked " + e.name + " before waiting, as correct programs do: the saved mask is not visible in /proc)"
}

// noTaker handles a signal that no thread can take now.
func (e *eval) noTaker(pr *Prediction, stopped []Thread) {
	if len(stopped) > 0 {
		if stopped[0].Status.State == 't' || e.traced {
			pr.set(Depends, Deferred, "%s is in a tracing stop (tracer PID %d): %s waits in the queue and the tracer decides", e.who, e.tracer, e.name)
			return
		}
		pr.set(No, Deferred, "%s is stopped (T): %s waits in the queue until a SIGCONT resumes it%s", e.who, e.name, e.afterUnblock("resumed"))
		return
	}
	for _, c := range e.p.consumers() {
		if c.Kind == "signalfd" && c.Set.Has(e.sig) {
			if e.program.Forwarder() {
				e.forward(pr, fmt.Sprintf("reads %s from signalfd %d", e.name, c.FD))
				return
			}
			pr.set(Depends, Consumed, "%s blocks %s in every thread and reads it from signalfd %d, so the program receives it and its own code decides what happens", e.who, e.name, c.FD)
			return
		}
	}
	if e.p.Deep != nil && e.p.Deep.FDErr != "" {
		pr.set(VerdictUnknown, OutcomeUnknown, "%s blocks %s in every thread, and whether a signalfd reads it is unknown (%s)", e.who, e.name, e.p.Deep.FDErr)
		return
	}
	if e.p.Deep == nil {
		pr.set(VerdictUnknown, OutcomeUnknown, "%s blocks %s in every thread, and its fds were not read to find a signalfd reader", e.who, e.name)
		return
	}
	pr.set(No, Queued, "%s blocks %s in every thread and nothing reads it, so it stays pending (ShdPnd)%s", e.who, e.name, e.afterUnblock("unblocked"))
}

// afterUnblock says what happens once the signal can be taken.
func (e *eval) afterUnblock(when string) string {
	switch {
	case e.h == hCaught:
		return "; the handler runs once it is " + when
	case e.h == hIgnore || e.sig.defaultIgnore():
		return ""
	case e.isInit && !e.sig.kernelOnly():
		return "; being an init with the default action, the kernel drops it if it is ever " + when + " (get_signal)"
	}
	return "; the default action (" + e.sig.DefaultAction() + ") follows once it is " + when
}

func (e *eval) tracedDelivery(pr *Prediction) {
	then := "the program's handler runs"
	switch {
	case e.h == hIgnore:
		then = "it is ignored"
	case e.h == hDefault && e.isInit:
		e.tracedInit(pr)
		return
	case e.h == hDefault:
		then = "the default action (" + e.sig.DefaultAction() + ") follows"
	}
	pr.set(Depends, Deferred, "%s is traced by PID %d: the tracer sees %s first and may cancel it, pass it on (then %s) or replace it", e.who, e.tracer, e.name, then)
}

// tracedInit predicts a signal with the default action at a traced init:
// the tracer sees it first (ptrace_signal), and what a passed-on signal
// then does is the measured rule traced_init_passed_on_signal_kills.
func (e *eval) tracedInit(pr *Prediction) {
	r := e.k.Rule(RuleTracedPassOnKillsInit)
	lead := fmt.Sprintf("%s is traced by PID %d, so the tracer sees %s first (ptrace_signal)", e.who, e.tracer, e.name)
	switch {
	case !r.Value.Known:
		pr.set(VerdictUnknown, OutcomeUnknown, "%s; passed on, a kernel like mainline drops it at the init (get_signal) and the init lives, while a kernel that delivers it kills the init; %s", lead, r.notMeasured())
	case r.Value.V:
		pr.set(Depends, Deferred, "%s; if the tracer passes it on, this kernel kills the init (rule %s, measured); the tracer may also cancel it", lead, r.Name)
	default:
		pr.set(No, Dropped, "%s; whether the tracer passes it on or cancels it, get_signal then drops it at the init (rule %s, measured on this kernel); only a tracer that substitutes SIGKILL ends it", lead, r.Name)
	}
}

// defaultAction applies complete_signal's fast path and get_signal's
// default handling.
func (e *eval) defaultAction(pr *Prediction, chosen Thread) {
	switch {
	case e.sig.defaultIgnore():
		pr.set(No, Ignored, "the default action of %s is to ignore it%s", e.name, contNote(e.sig))
	case e.sig.stopSignal():
		if e.isInit {
			pr.set(No, Dropped, "%s is an init with the default action for %s: get_signal drops it", e.who, e.name)
			return
		}
		pr.set(No, Stops, "%s stops on %s (the default action; SIGTSTP, SIGTTIN and SIGTTOU do nothing if its process group is orphaned)", e.who, e.name)
	case !e.sig.coredump():
		if e.isInit {
			e.fastPath(pr, chosen)
			return
		}
		e.killed(pr, fmt.Sprintf("%s has the default action for %s, which terminates it", e.who, e.name))
	case e.isInit:
		e.fastPath(pr, chosen)
	default:
		e.killed(pr, fmt.Sprintf("%s has the default action for %s, which terminates it with a core dump", e.who, e.name))
	}
}

// fastPath predicts a fatal signal with the default action at a
// multi-threaded init whose main thread blocks it while thread chosen does
// not: the main thread's mask let it pass the send-time check, and whether
// complete_signal's fatal fast path then kills an init differs between
// kernel builds (docs/kernel-signals.md §0 item 6), so it is a measured rule.
func (e *eval) fastPath(pr *Prediction, chosen Thread) {
	name, mainline := RuleFastPathKillsInit, "as mainline 6.x does, it dies of it"
	if e.sig.coredump() {
		name, mainline = RuleCoreFastPathKillsInit, "mainline's skips core-dump signals, so get_signal drops it and the init lives"
	}
	r := e.k.Rule(name)
	lead := fmt.Sprintf("%s's main thread blocks %s but thread %d does not", e.who, e.name, chosen.TID)
	switch {
	case !r.Value.Known:
		pr.set(VerdictUnknown, OutcomeUnknown, "%s, so the kernel's fatal fast path (complete_signal) decides, and kernel builds differ: on a build whose fast path spares an init the init survives; %s; %s", lead, mainline, r.notMeasured())
	case r.Value.V:
		e.killed(pr, fmt.Sprintf("%s: this kernel's fatal fast path (complete_signal) kills an init (rule %s, measured on this kernel) and with it the whole process", lead, r.Name))
	default:
		pr.set(No, Dropped, "%s: this kernel's fatal fast path (complete_signal) spares an init (rule %s, measured on this kernel), so thread %d dequeues it and get_signal drops it at the init, with nothing left pending; kill() still returns 0", lead, r.Name, chosen.TID)
	}
}

// Go runtime signal classes (runtime/sigtab_linux_generic.go).
func goClass(sig Signal) string {
	switch sig {
	case SIGHUP, SIGINT, SIGTERM:
		return "kill" // _SigKill: re-raise with SIG_DFL, then exit(2)
	case SIGQUIT, 4, 5, 6, 7, 8, 11, 16, 31:
		return "throw" // _SigThrow/_SigPanic: traceback, exit(2)
	case SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU:
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

// handled reports a signal delivered to a handler.
func (e *eval) handled(pr *Prediction) {
	if e.knownHandler(pr) { // the program's rows (programs), Go's included
		return
	}
	pr.set(Depends, Handled, "%s has a handler for %s (SigCgt): it runs, and the program's own code decides whether to exit", e.who, e.name)
}

func (e *eval) goHandled(pr *Prediction) bool {
	if e.goNotifies() {
		pr.set(Depends, Handled, "%s is a Go program that uses signal.Notify: if it asked for %s its own code decides, otherwise the runtime's default applies (which /proc cannot tell apart)", e.who, e.name)
		return true
	}
	switch goClass(e.sig) {
	case "kill":
		if e.isInit {
			pr.set(Yes, Handled, "%s is a Go program without signal.Notify: the runtime re-raises %s with the default action, the kernel drops that at an init, and the runtime then exits with status 2", e.who, e.name)
			pr.Exit = KnownInt(2)
		} else {
			pr.set(Yes, Handled, "%s is a Go program without signal.Notify: the runtime re-raises %s with the default action and dies of it", e.who, e.name)
			pr.Exit = KnownInt(128 + int(e.sig))
		}
	case "throw":
		pr.set(Yes, Handled, "%s is a Go program without signal.Notify: on %s the runtime prints a goroutine dump and exits with status 2", e.who, e.name)
		pr.Exit = KnownInt(2)
	case "notify":
		pr.set(No, Handled, "%s is a Go program without signal.Notify: the runtime catches %s and does nothing with it", e.who, e.name)
	default:
		return false
	}
	return true
}

func tidList(ts []Thread) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = fmt.Sprint(t.TID)
	}
	return strings.Join(s, ", ")
}

// consumers returns the process's synchronous readers (nil if not read).
func (p *Process) consumers() []Consumer {
	if p.Deep == nil {
		return nil
	}
	return p.Deep.Consumers
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
	return Printable(string([]byte{s}))
}
