package predict

import (
	"fmt"
	"strings"

	"github.com/sigview/sigview/procinspect"
)

// Short names for the facts the rules read.
type (
	// Signal is a signal number (procinspect.Signal).
	Signal  = procinspect.Signal
	process = procinspect.Process
	thread  = procinspect.Thread
)

// handler is the disposition of one signal in the process's sighand.
type handler int

const (
	hDefault handler = iota
	hIgnore
	hCaught
)

// eval holds the facts of one prediction. It is built once (newEval) and
// never changed while deciding: each step of the decision is a method that
// returns its Prediction, or reports that it does not decide.
type eval struct {
	p       *process
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
	threads []thread // live threads
	leader  thread   // the thread whose TID is the PID
	program procinspect.Program
	rows    []behaviour         // what sigview knows the program does (behaviours)
	k       *procinspect.Kernel // the measured build-dependent rules; nil when not probed
	// assumeNoWait treats threads whose sigtimedwait state is unreadable as
	// not waiting: the second look Predict takes when that was unknown.
	assumeNoWait bool
	// resumed: the signal was left pending while the process was stopped,
	// and SIGCONT has just resumed its threads (pendingAfterResume).
	resumed bool
}

// Predict says what sending sig from the given sender does to p. It is a
// pure function of the facts in p: it reads nothing. It implements the
// decision procedure of docs/kernel-signals.md §10: send-time filtering
// (sig_ignored, sig_task_ignored), the choice of a thread and the fatal fast
// path (complete_signal, wants_signal), and dequeue-time handling
// (get_signal), plus what is known of the Go runtime. k holds the rules
// that differ between kernel builds, as measured on the running kernel; a
// prediction that depends on a rule k does not know is unknown.
func Predict(p *process, sig Signal, from Sender, k *procinspect.Kernel) Prediction {
	predictCalls.Add(1)
	if !sig.Valid() {
		return Prediction{Signal: sig, From: from}.unknown(fmt.Sprintf("%d is not a signal number (1-%d)", sig, procinspect.NSig))
	}
	e, why := newEval(p, sig, from, k)
	if why != "" {
		return Prediction{Signal: sig, From: from}.unknown(why)
	}
	pr := e.decide()
	if pr.Verdict != VerdictUnknown || !e.waitUnknown() {
		return pr
	}
	// A thread whose sigtimedwait state is unreadable may be what left it
	// unknown: say what happens in the likely case, and what would change
	// it. (If the second look decides, that state was what mattered.)
	alt := *e
	alt.assumeNoWait = true
	if a := alt.decide(); a.Verdict != VerdictUnknown {
		pr.Reason = "unless a thread waits in sigtimedwait for " + e.name + " (its syscall and wchan files are unreadable, so this cannot be told): " + a.Reason
	}
	return pr
}

func (pr Prediction) unknown(why string) Prediction {
	pr.Verdict, pr.Outcome, pr.Reason = VerdictUnknown, OutcomeUnknown, why
	return pr
}

// out is the prediction of e's signal and sender with the given answer.
func (e *eval) out(v Verdict, o Outcome, format string, args ...any) Prediction {
	return Prediction{Signal: e.sig, From: e.from, Verdict: v, Outcome: o, Reason: fmt.Sprintf(format, args...)}
}

// unknownBecause is the unknown prediction with the given reason.
func (e *eval) unknownBecause(why string) Prediction {
	return e.out(VerdictUnknown, OutcomeUnknown, "%s", why)
}

// withExit is pr with the exit status the runtime reports.
func withExit(pr Prediction, code int) Prediction {
	pr.Exit = procinspect.KnownInt(code)
	return pr
}

// newEval gathers the facts, or says which one is missing.
func newEval(p *process, sig Signal, from Sender, k *procinspect.Kernel) (*eval, string) {
	st := p.Status
	e := &eval{p: p, sig: sig, from: from, name: sig.String(), rows: behavioursOf(p), k: k}
	e.program = procinspect.Identify(p)
	e.who = procinspect.Printable(st.Name)
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
			e.force = !p.InitialNS.V && sig.KernelOnly()
			e.global = isInit && p.InitialNS.V
		case isInit && sig.KernelOnly():
			return nil, "whether its namespace is the host's own is unknown (its ns/pid link is unreadable), and that decides whether the host's " + e.name + " is forced"
		}
	} else if isInit && p.InitialNS.V {
		e.global = true
	}
	if !sig.KernelOnly() && (!st.SigIgn.Known || !st.SigCgt.Known) {
		return nil, "the SigIgn/SigCgt lines are missing or malformed in its status file (as under gVisor), so its handler for " + e.name + " is unknown"
	}
	e.h = handlerOf(p, sig)
	if st.TracerPid.Known {
		e.traced, e.tracer = st.TracerPid.V != 0, st.TracerPid.V
	} else if sig != procinspect.SIGKILL {
		return nil, "the TracerPid line is missing from its status file, and a tracer would see " + e.name + " first"
	}
	threads, leader, why := liveThreads(p, sig)
	e.threads, e.leader = threads, leader
	return e, why
}

// waitUnknown reports whether a live thread's sigtimedwait state is unreadable.
func (e *eval) waitUnknown() bool {
	for _, t := range e.threads {
		if !t.Sigwait.Known {
			return true
		}
	}
	return false
}

// liveThreads returns the live threads and the leader (the thread whose
// TID is the PID, wherever it is in the list), or says why they are unknown.
func liveThreads(p *process, sig Signal) (live []thread, leader thread, why string) {
	st := *p.Status
	leader = thread{TID: p.PID, Status: st, Syscall: -2}
	var all []thread
	switch {
	case p.Deep != nil && len(p.Deep.Threads) > 0:
		all = p.Deep.Threads
	case st.Threads.Known && st.Threads.V == 1:
		if st.State != 'S' {
			leader.Sigwait = procinspect.KnownFlag(false)
		}
		all = []thread{leader}
	case sig == procinspect.SIGKILL:
		all = []thread{leader}
	default:
		why := "its threads were not read"
		if p.Deep != nil && p.Deep.ThreadsErr != "" {
			why = "its threads could not be read (" + p.Deep.ThreadsErr + ")"
		}
		return nil, leader, why + ", and every thread's blocked mask matters for " + sig.String()
	}
	for _, t := range all {
		if t.TID == p.PID {
			leader = t
		}
		if t.Live() {
			live = append(live, t)
		}
	}
	return live, leader, ""
}

// blockedIn reports whether t blocks the signal for the kernel: in SigBlk,
// or, while it waits in rt_sigtimedwait, in the hidden saved mask, which a
// correct program set to include the waited set (docs/kernel-signals.md §4.2).
// ok is false when the answer is not known.
func (e *eval) blockedIn(t thread) (blocked bool, ok bool) {
	if e.sig.KernelOnly() {
		return false, true
	}
	if !t.Status.SigBlk.Known {
		return false, false
	}
	if t.Status.SigBlk.Has(e.sig) {
		return true, true
	}
	return e.waitsFor(t)
}

// waitsFor reports whether t sleeps in rt_sigtimedwait for the signal.
func (e *eval) waitsFor(t thread) (bool, bool) {
	switch {
	case e.sig.KernelOnly():
		return false, true // the kernel strips SIGKILL/SIGSTOP from the set
	case !t.Sigwait.Known:
		return false, e.assumeNoWait
	case !t.Sigwait.V:
		return false, true
	case !t.WaitSet.Known:
		return false, false
	}
	return t.WaitSet.Has(e.sig), true
}

// decide runs the steps of the decision in the kernel's order; the first
// that decides gives the prediction, and a known program's missing handler
// adds its note.
func (e *eval) decide() Prediction {
	if pr, ok := e.kernelThread(); ok {
		return pr
	}
	pr := e.decideSteps()
	pr.Reason += e.programNote(pr)
	return pr
}

func (e *eval) decideSteps() Prediction {
	if pr, ok := e.gone(); ok {
		return pr
	}
	if e.sig == procinspect.SIGCONT && e.stopped() {
		return e.resume()
	}
	if pr, ok := e.sendTime(); ok {
		return pr
	}
	switch e.sig {
	case procinspect.SIGKILL:
		return e.killed("SIGKILL cannot be caught, blocked or ignored")
	case procinspect.SIGSTOP:
		return e.out(No, Stops, "%s is stopped by SIGSTOP%s; SIGCONT resumes it", e.who, e.forcedText())
	}
	return e.deliver()
}

// gone decides for a process that has exited and not been reaped.
func (e *eval) gone() (Prediction, bool) {
	if len(e.threads) > 0 || (e.p.Deep == nil && !(e.p.Status.State == 'Z' || e.p.Status.State == 'X')) {
		return Prediction{}, false
	}
	if e.p.Deep == nil && e.p.Status.Threads.V > 1 {
		return Prediction{}, false
	}
	return e.out(No, Gone, "%s has already exited (state %s) and waits for its parent to reap it; kill() returns 0 and changes nothing", e.who, stateName(e.p.Status.State)), true
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
// process then is whatever was left pending while it was stopped: each is
// delivered to the resumed threads (pendingAfterResume).
func (e *eval) resume() Prediction {
	if !e.p.Status.ShdPnd.Known {
		return e.out(VerdictUnknown, OutcomeUnknown, "SIGCONT resumes %s, and what is pending to act then is unknown (the ShdPnd line is missing)", e.who)
	}
	pending := e.p.Status.ShdPnd.Set
	running := make([]thread, len(e.threads))
	for i, t := range e.threads {
		pending |= t.Status.SigPnd.Set
		if t.Status.State == 'T' {
			t.Status.State = 'S'
		}
		running[i] = t
	}
	var undecided *Prediction
	for _, sig := range pending.Signals() {
		if sig == procinspect.SIGCONT || sig.IsStopSignal() {
			continue // SIGCONT flushes pending stop signals
		}
		next := e.pendingAfterResume(sig, running).deliver()
		switch next.Verdict {
		case Yes:
			return e.out(Yes, next.Outcome, "SIGCONT resumes %s (prepare_signal acts before any ignore check), and the %s left pending while it was stopped then acts: %s", e.who, sig, next.Reason)
		case Depends, VerdictUnknown:
			if undecided == nil {
				undecided = &next
			}
		}
	}
	if undecided != nil {
		return e.out(undecided.Verdict, undecided.Outcome, "SIGCONT resumes %s, and the %s left pending then acts: %s", e.who, undecided.Signal, undecided.Reason)
	}
	if e.h == hCaught {
		return e.out(Depends, Handled, "SIGCONT resumes %s, and its SIGCONT handler then runs: the program decides", e.who)
	}
	out := Ignored
	if e.isInit && e.h == hDefault {
		out = Dropped
	}
	return e.out(No, out, "SIGCONT resumes %s (prepare_signal acts before any ignore check), and nothing pending ends it", e.who)
}

// pendingAfterResume is the eval of a signal left pending at a stopped
// process, as its threads take it once SIGCONT has resumed them.
func (e *eval) pendingAfterResume(sig Signal, running []thread) *eval {
	r := *e
	r.sig, r.name, r.threads, r.h, r.resumed = sig, sig.String(), running, handlerOf(e.p, sig), true
	// Predict's second look names SIGCONT: it does not look into what a
	// pending signal's threads wait for.
	r.assumeNoWait = false
	return &r
}

// handlerOf is the disposition of sig; SIGKILL and SIGSTOP are always SIG_DFL.
func handlerOf(p *process, sig Signal) handler {
	st := p.Status
	switch {
	case sig.KernelOnly():
		return hDefault
	case st.SigIgn.Has(sig):
		return hIgnore
	case st.SigCgt.Has(sig):
		return hCaught
	}
	return hDefault
}

// sendTime applies prepare_signal/sig_ignored/sig_task_ignored. It decides
// when the signal is dropped here.
func (e *eval) sendTime() (Prediction, bool) {
	blk, ok := e.blockedIn(e.leader)
	if !ok {
		return e.unknownBecause(e.leaderMaskUnknown()), true
	}
	if blk {
		return Prediction{}, false // "Blocked signals are never ignored" (sig_ignored)
	}
	if e.traced && e.sig != procinspect.SIGKILL {
		return Prediction{}, false // the tracer gets to see it (sig_ignored)
	}
	switch {
	case e.global && e.sig.KernelOnly():
		return e.out(No, Dropped, "%s is the host's init (PID 1 of the initial namespace): the kernel never delivers %s to it, not even when forced (sig_task_ignored), and kill() still returns 0", e.who, e.name), true
	case e.isInit && e.sig.KernelOnly() && !e.force:
		return e.out(No, Dropped, "%s is the init of its PID namespace: %s from inside its own namespace is not forced past init protection (SIGNAL_UNKILLABLE, sig_task_ignored), so the kernel drops it and kill() still returns 0; only a sender in an ancestor namespace can deliver it", e.who, e.name), true
	case e.isInit && e.h == hDefault && !e.force:
		return e.out(No, Dropped, "%s is the init of its PID namespace and has the default action for %s: the kernel drops it at send time (SIGNAL_UNKILLABLE, sig_task_ignored)%s, and kill() still returns 0", e.who, e.name, e.unforcedText()), true
	case e.h == hIgnore:
		return e.out(No, Ignored, "%s ignores %s (SigIgn, SIG_IGN): the kernel discards it at send time%s", e.who, e.name, e.inheritedIgnore()), true
	case e.h == hDefault && e.sig.DefaultIgnore():
		return e.out(No, Ignored, "the default action of %s is to ignore it%s", e.name, contNote(e.sig)), true
	}
	return Prediction{}, false
}

func contNote(sig Signal) string {
	if sig == procinspect.SIGCONT {
		return " (it still resumes a stopped process)"
	}
	return ""
}

// unforcedText explains why SIGKILL/SIGSTOP is not forced.
func (e *eval) unforcedText() string {
	if !e.sig.KernelOnly() {
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
func (e *eval) threadUnknown(t thread) string {
	switch {
	case !t.Status.SigBlk.Known:
		return fmt.Sprintf("thread %d's SigBlk line is missing or malformed, so whether it blocks %s is unknown", t.TID, e.name)
	case !t.Sigwait.Known:
		return fmt.Sprintf("whether thread %d waits in sigtimedwait for %s is unknown (its syscall and wchan files are unreadable)", t.TID, e.name)
	}
	return fmt.Sprintf("thread %d waits in sigtimedwait, but the set it waits for is unreadable (%s)", t.TID, t.WaitSetErr)
}

// killed is a fatal delivery.
func (e *eval) killed(why string) Prediction {
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
	return withExit(e.out(Yes, Terminates, "%s", b.String()), 128+int(e.sig))
}

func (e *eval) inD() int {
	for _, t := range e.threads {
		if t.Status.State == 'D' {
			return t.TID
		}
	}
	return 0
}
