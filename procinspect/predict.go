package procinspect

import (
	"fmt"
	"math/bits"
	"strings"
)

// Sender is where a signal is sent from.
type Sender string

// The two senders of docs/json.md.
const (
	// Inside is a root process in the target's own PID namespace (the view
	// from `docker exec`).
	Inside Sender = "inside"
	// Host is a root process in an ancestor PID namespace: the initial one,
	// which for a nested namespace stands for any ancestor. For a process
	// in the initial namespace, host and inside are the same place.
	Host Sender = "host"
)

// Verdict answers "does the process end?".
type Verdict string

// Verdicts (docs/json.md).
const (
	Yes            Verdict = "yes"
	No             Verdict = "no"
	Depends        Verdict = "depends"
	VerdictUnknown Verdict = "unknown"
)

// Outcome says why.
type Outcome string

// Outcomes (docs/json.md). Stops is the one addition: a stop signal delivered
// with its default action stops the process rather than ending it.
const (
	Terminates     Outcome = "terminates"
	Dropped        Outcome = "dropped"
	Ignored        Outcome = "ignored"
	Handled        Outcome = "handled"
	Consumed       Outcome = "consumed"
	Forwarded      Outcome = "forwarded"
	Queued         Outcome = "queued"
	Deferred       Outcome = "deferred"
	Stops          Outcome = "stops"
	Denied         Outcome = "denied"
	Unreachable    Outcome = "unreachable"
	Gone           Outcome = "gone"
	OutcomeUnknown Outcome = "unknown"
)

// Prediction is what a signal will do to a process, and why.
type Prediction struct {
	Signal  Signal
	From    Sender
	Verdict Verdict
	Outcome Outcome
	// Reason is one plain sentence naming the fact or kernel rule that decided.
	Reason string
	// Exit is the status a container runtime would report when the process
	// ends this way (128+N for a death by signal N); unknown otherwise.
	Exit Int
}

// handler is the disposition of one signal in the process's sighand.
type handler int

const (
	hDefault handler = iota
	hIgnore
	hCaught
)

// eval holds the facts of one prediction.
type eval struct {
	p       *Process
	sig     Signal
	from    Sender
	name    string // the signal's name
	who     string // "sleep (PID 1 inside)"
	isInit  bool
	global  bool // the host's init (is_global_init)
	force   bool // SIGKILL/SIGSTOP from an ancestor namespace
	h       handler
	traced  bool
	tracer  int
	threads []Thread // live threads, leader first when it is live
	leader  Thread
	program Program
	k       *Kernel // the measured build-dependent rules; nil when not probed
	// assumeNoWait treats threads whose sigtimedwait state is unreadable as
	// not waiting; sawWaitUnknown records that such a thread mattered.
	assumeNoWait   bool
	sawWaitUnknown bool
}

// Predict says what sending sig from the given sender does to p. It is a
// pure function of the facts in p: it reads nothing. It implements the
// decision procedure of docs/kernel-signals.md §10: send-time filtering
// (sig_ignored, sig_task_ignored), the choice of a thread and the fatal fast
// path (complete_signal, wants_signal), and dequeue-time handling
// (get_signal), plus what is known of the Go runtime. k holds the rules
// that differ between kernel builds, as measured on the running kernel; a
// prediction that depends on a rule k does not know is unknown.
func Predict(p *Process, sig Signal, from Sender, k *Kernel) Prediction {
	pr := Prediction{Signal: sig, From: from}
	if !sig.Valid() {
		return pr.unknown(fmt.Sprintf("%d is not a signal number (1-%d)", sig, NSig))
	}
	e, why := newEval(p, sig, from, k)
	if why != "" {
		return pr.unknown(why)
	}
	e.decide(&pr)
	if pr.Verdict == VerdictUnknown && e.sawWaitUnknown {
		// Say what happens in the likely case, and what would change it.
		alt := pr
		e2 := *e
		e2.assumeNoWait, e2.sawWaitUnknown = true, false
		e2.decide(&alt)
		if alt.Verdict != VerdictUnknown {
			pr.Reason = "unless a thread waits in sigtimedwait for " + e.name + " (its syscall and wchan files are unreadable, so this cannot be told): " + alt.Reason
		}
	}
	return pr
}

func (pr Prediction) unknown(why string) Prediction {
	pr.Verdict, pr.Outcome, pr.Reason = VerdictUnknown, OutcomeUnknown, why
	return pr
}

func (pr *Prediction) set(v Verdict, o Outcome, format string, args ...any) {
	pr.Verdict, pr.Outcome, pr.Reason = v, o, fmt.Sprintf(format, args...)
}

// newEval gathers the facts, or says which one is missing.
func newEval(p *Process, sig Signal, from Sender, k *Kernel) (*eval, string) {
	st := p.Status
	e := &eval{p: p, sig: sig, from: from, name: sig.String(), program: Identify(p), k: k}
	e.who = Printable(st.Name)
	if e.who == "" {
		e.who = fmt.Sprintf("PID %d", p.PID)
	}
	isInit, ok := st.IsInit()
	if !ok {
		return nil, "the NSpid line is missing from its status file, so whether it is a namespace init (which the kernel protects) is unknown"
	}
	e.isInit = isInit
	if from == Host {
		switch {
		case p.InitialNS.Known:
			// Sent from the initial namespace to a process in it, the host is
			// "inside"; to any other namespace it is an ancestor.
			e.force = !p.InitialNS.V && sig.kernelOnly()
			e.global = isInit && p.InitialNS.V
		case isInit && sig.kernelOnly():
			return nil, "whether its namespace is the host's own is unknown (its ns/pid link is unreadable), and that decides whether the host's " + e.name + " is forced"
		}
	} else if isInit && p.InitialNS.V {
		e.global = true
	}
	if !sig.kernelOnly() && (!st.SigIgn.Known || !st.SigCgt.Known) {
		return nil, "the SigIgn/SigCgt lines are missing or malformed in its status file (as under gVisor), so its handler for " + e.name + " is unknown"
	}
	e.h = e.handlerOf(sig)
	if st.TracerPid.Known {
		e.traced, e.tracer = st.TracerPid.V != 0, st.TracerPid.V
	} else if sig != SIGKILL {
		return nil, "the TracerPid line is missing from its status file, and a tracer would see " + e.name + " first"
	}
	return e, e.loadThreads()
}

// loadThreads fills in the live threads, or says why they are unknown.
func (e *eval) loadThreads() string {
	st := e.p.Status
	leader := Thread{TID: e.p.PID, Status: st, Syscall: -2}
	var all []Thread
	switch {
	case e.p.Deep != nil && len(e.p.Deep.Threads) > 0:
		all = e.p.Deep.Threads
	case st.Threads.Known && st.Threads.V == 1:
		if st.State != 'S' {
			leader.Sigwait = KnownFlag(false)
		}
		all = []Thread{leader}
	case e.sig == SIGKILL:
		all = []Thread{leader}
	default:
		why := "its threads were not read"
		if e.p.Deep != nil && e.p.Deep.ThreadsErr != "" {
			why = "its threads could not be read (" + e.p.Deep.ThreadsErr + ")"
		}
		return why + ", and every thread's blocked mask matters for " + e.name
	}
	for _, t := range all {
		if t.TID == e.p.PID {
			leader = t
		}
		if t.live() {
			e.threads = append(e.threads, t)
		}
	}
	e.leader = leader
	return ""
}

// blockedIn reports whether t blocks the signal for the kernel: in SigBlk,
// or, while it waits in rt_sigtimedwait, in the hidden saved mask, which a
// correct program set to include the waited set (docs/kernel-signals.md §4.2).
// ok is false when the answer is not known.
func (e *eval) blockedIn(t Thread) (blocked bool, ok bool) {
	if e.sig.kernelOnly() {
		return false, true
	}
	if !t.Status.SigBlk.Known {
		return false, false
	}
	if t.Status.SigBlk.Has(e.sig) {
		return true, true
	}
	w, ok := e.waitsFor(t)
	return w, ok
}

// waitsFor reports whether t sleeps in rt_sigtimedwait for the signal.
func (e *eval) waitsFor(t Thread) (bool, bool) {
	switch {
	case e.sig.kernelOnly():
		return false, true // the kernel strips SIGKILL/SIGSTOP from the set
	case !t.Sigwait.Known && e.assumeNoWait:
		return false, true
	case !t.Sigwait.Known:
		e.sawWaitUnknown = true
		return false, false
	case !t.Sigwait.V:
		return false, true
	case !t.WaitSet.Known:
		return false, false
	}
	return t.WaitSet.Has(e.sig), true
}

func (e *eval) decide(pr *Prediction) {
	if e.kernelThread(pr) {
		return
	}
	defer e.programNote(pr)
	if e.gone(pr) {
		return
	}
	if e.sig == SIGCONT && e.stopped() {
		e.resume(pr)
		return
	}
	if e.sendTime(pr) {
		return
	}
	if e.sig == SIGKILL {
		e.killed(pr, "SIGKILL cannot be caught, blocked or ignored")
		return
	}
	if e.sig == SIGSTOP {
		pr.set(No, Stops, "%s is stopped by SIGSTOP%s; SIGCONT resumes it", e.who, e.forcedText())
		return
	}
	e.deliver(pr)
}

// gone handles a process that has exited and not been reaped.
func (e *eval) gone(pr *Prediction) bool {
	if len(e.threads) > 0 || (e.p.Deep == nil && !(e.p.Status.State == 'Z' || e.p.Status.State == 'X')) {
		return false
	}
	if e.p.Deep == nil && e.p.Status.Threads.V > 1 {
		return false
	}
	pr.set(No, Gone, "%s has already exited (state %s) and waits for its parent to reap it; kill() returns 0 and changes nothing", e.who, stateName(e.p.Status.State))
	return true
}

// stopped reports whether the process is group-stopped (T).
func (e *eval) stopped() bool {
	for _, t := range e.threads {
		if t.Status.State == 'T' {
			return true
		}
	}
	return false
}

// resume predicts SIGCONT to a stopped process. Its side effect comes first
// in prepare_signal, before any ignore check: it resumes the process even
// when SIGCONT itself is then dropped (docs/kernel-signals.md §2). What ends the
// process then is whatever was left pending while it was stopped.
func (e *eval) resume(pr *Prediction) {
	if !e.p.Status.ShdPnd.Known {
		pr.set(VerdictUnknown, OutcomeUnknown, "SIGCONT resumes %s, and what is pending to act then is unknown (the ShdPnd line is missing)", e.who)
		return
	}
	pending := e.p.Status.ShdPnd.Set
	running := make([]Thread, len(e.threads))
	for i, t := range e.threads {
		pending |= t.Status.SigPnd.Set
		if t.Status.State == 'T' {
			t.Status.State = 'S'
		}
		running[i] = t
	}
	var undecided *Prediction
	for _, sig := range pending.Signals() {
		if sig == SIGCONT || sig.stopSignal() {
			continue // SIGCONT flushes pending stop signals
		}
		r := *e
		r.sig, r.name, r.threads = sig, sig.String(), running
		r.h = e.handlerOf(sig)
		next := Prediction{Signal: sig, From: e.from}
		r.deliver(&next)
		switch next.Verdict {
		case Yes:
			pr.set(Yes, next.Outcome, "SIGCONT resumes %s (prepare_signal acts before any ignore check), and the %s left pending while it was stopped then acts: %s", e.who, sig, next.Reason)
			return
		case Depends, VerdictUnknown:
			if undecided == nil {
				undecided = &next
			}
		}
	}
	if undecided != nil {
		pr.set(undecided.Verdict, undecided.Outcome, "SIGCONT resumes %s, and the %s left pending then acts: %s", e.who, undecided.Signal, undecided.Reason)
		return
	}
	out := Ignored
	if e.isInit && e.h == hDefault {
		out = Dropped
	}
	if e.h == hCaught {
		pr.set(Depends, Handled, "SIGCONT resumes %s, and its SIGCONT handler then runs: the program decides", e.who)
		return
	}
	pr.set(No, out, "SIGCONT resumes %s (prepare_signal acts before any ignore check), and nothing pending ends it", e.who)
}

// handlerOf is the disposition of sig; SIGKILL and SIGSTOP are always SIG_DFL.
func (e *eval) handlerOf(sig Signal) handler {
	st := e.p.Status
	switch {
	case sig.kernelOnly():
		return hDefault
	case st.SigIgn.Has(sig):
		return hIgnore
	case st.SigCgt.Has(sig):
		return hCaught
	}
	return hDefault
}

// sendTime applies prepare_signal/sig_ignored/sig_task_ignored. It reports
// whether the signal is dropped here.
func (e *eval) sendTime(pr *Prediction) bool {
	blk, ok := e.blockedIn(e.leader)
	if !ok {
		pr.set(VerdictUnknown, OutcomeUnknown, "%s", e.leaderMaskUnknown())
		return true
	}
	if blk {
		return false // "Blocked signals are never ignored" (sig_ignored)
	}
	if e.traced && e.sig != SIGKILL {
		return false // the tracer gets to see it (sig_ignored)
	}
	switch {
	case e.global && e.sig.kernelOnly():
		pr.set(No, Dropped, "%s is the host's init (PID 1 of the initial namespace): the kernel never delivers %s to it, not even when forced (sig_task_ignored), and kill() still returns 0", e.who, e.name)
	case e.isInit && e.sig.kernelOnly() && !e.force:
		pr.set(No, Dropped, "%s is the init of its PID namespace: %s from inside its own namespace is not forced past init protection (SIGNAL_UNKILLABLE, sig_task_ignored), so the kernel drops it and kill() still returns 0; only a sender in an ancestor namespace can deliver it", e.who, e.name)
	case e.isInit && e.h == hDefault && !e.force:
		pr.set(No, Dropped, "%s is the init of its PID namespace and has the default action for %s: the kernel drops it at send time (SIGNAL_UNKILLABLE, sig_task_ignored)%s, and kill() still returns 0", e.who, e.name, e.unforcedText())
	case e.h == hIgnore:
		pr.set(No, Ignored, "%s ignores %s (SigIgn, SIG_IGN): the kernel discards it at send time%s", e.who, e.name, e.inheritedIgnore())
	case e.h == hDefault && e.sig.defaultIgnore():
		pr.set(No, Ignored, "the default action of %s is to ignore it%s", e.name, contNote(e.sig))
	default:
		return false
	}
	return true
}

func contNote(sig Signal) string {
	if sig == SIGCONT {
		return " (it still resumes a stopped process)"
	}
	return ""
}

// unforcedText explains why SIGKILL/SIGSTOP is not forced.
func (e *eval) unforcedText() string {
	if !e.sig.kernelOnly() {
		if e.from == Host && !e.global {
			return "; sending from the host forces only SIGKILL and SIGSTOP"
		}
		return ""
	}
	return "; only a sender in an ancestor namespace forces " + e.name
}

func (e *eval) forcedText() string {
	if e.force && e.isInit {
		return " (sent from an ancestor namespace, it is forced past init protection)"
	}
	return ""
}

func (e *eval) leaderMaskUnknown() string {
	t := e.leader
	if !t.Status.SigBlk.Known {
		return "the SigBlk line is missing or malformed in its status file (as under gVisor), so whether its main thread blocks " + e.name + " is unknown"
	}
	if !t.Sigwait.Known {
		return "whether its main thread waits in sigtimedwait for " + e.name + " is unknown (its syscall and wchan files are unreadable)"
	}
	return fmt.Sprintf("its main thread waits in sigtimedwait, but the set it waits for is unreadable (%s)", t.WaitSetErr)
}

// threadUnknown says which fact of thread t is missing.
func (e *eval) threadUnknown(t Thread) string {
	switch {
	case !t.Status.SigBlk.Known:
		return fmt.Sprintf("thread %d's SigBlk line is missing or malformed, so whether it blocks %s is unknown", t.TID, e.name)
	case !t.Sigwait.Known:
		return fmt.Sprintf("whether thread %d waits in sigtimedwait for %s is unknown (its syscall and wchan files are unreadable)", t.TID, e.name)
	}
	return fmt.Sprintf("thread %d waits in sigtimedwait, but the set it waits for is unreadable (%s)", t.TID, t.WaitSetErr)
}

// killed reports a fatal delivery.
func (e *eval) killed(pr *Prediction, why string) {
	var b strings.Builder
	b.WriteString(why)
	if e.force && e.isInit {
		b.WriteString("; sent from an ancestor namespace it is forced past init protection")
	}
	if e.isInit {
		b.WriteString(", and the init's death SIGKILLs every other process in its namespace")
	}
	if tid := e.inD(); tid != 0 {
		fmt.Fprintf(&b, " (thread %d is in D sleep: if that sleep is not killable, the death waits until it ends)", tid)
	}
	pr.set(Yes, Terminates, "%s", b.String())
	pr.Exit = KnownInt(128 + int(e.sig))
}

func (e *eval) inD() int {
	for _, t := range e.threads {
		if t.Status.State == 'D' {
			return t.TID
		}
	}
	return 0
}

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
	if e.knownHandler(pr) {
		return
	}
	if e.p.Deep != nil && e.p.Deep.Go.V {
		if e.goHandled(pr) {
			return
		}
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
