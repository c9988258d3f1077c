package procinspect

import (
	"fmt"
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
	rows    []*programInfo // what sigview knows of the program (programs)
	k       *Kernel        // the measured build-dependent rules; nil when not probed
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
	predictCalls.Add(1)
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
	e := &eval{p: p, sig: sig, from: from, name: sig.String(), rows: programsOf(p), k: k}
	e.program = Identify(p)
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
