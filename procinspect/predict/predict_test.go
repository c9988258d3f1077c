package predict

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/sigview/sigview/procinspect"
	"golang.org/x/sys/unix"
)

// The tables below are named after the measured cases of
// docs/kernel-signals.md: §11.1 (the main matrix), §11.2
// (special cases), §5 (threads), §6 (target state), §8 (known programs) and
// the decision procedure of §10. A case whose name starts with
// "DOC-MISMATCH" is one where an earlier Predict disagreed with the
// document; it now asserts what the document says, and passes.

// PIDs as the host's procfs names them.
const (
	predictPID       = 4242 // the process under test (its leader's TID)
	predictTracerPID = 5000 // a tracer such as strace -p
)

// threadSpec describes one thread of a process built by predictProc.
type threadSpec struct {
	state   byte
	blk     procinspect.Mask // SigBlk as /proc shows it
	syscall int
	wchan   string
	sigwait procinspect.Flag
	waitSet procinspect.Mask
	waitErr string
}

// sleepingThread is a thread asleep in system call nr (not rt_sigtimedwait) that
// blocks blk.
func sleepingThread(wchan string, nr int, blk procinspect.SigSet) threadSpec {
	return threadSpec{state: 'S', blk: procinspect.KnownMask(blk), syscall: nr, wchan: wchan, sigwait: procinspect.KnownFlag(false)}
}

// pausedThread is a thread in pause(2) that blocks blk.
func pausedThread(blk procinspect.SigSet) threadSpec {
	return sleepingThread("__do_sys_pause", 34, blk)
}

// sigwaitThread is a thread asleep in rt_sigtimedwait for set. While it waits,
// SigBlk shows 0 (the saved mask, real_blocked, is hidden; §4.2).
func sigwaitThread(set procinspect.SigSet) threadSpec {
	return threadSpec{state: 'S', blk: procinspect.KnownMask(0), syscall: unix.SYS_RT_SIGTIMEDWAIT, wchan: "do_sigtimedwait.isra.0",
		sigwait: procinspect.KnownFlag(true), waitSet: procinspect.KnownMask(set)}
}

// in returns the thread in another state letter.
func (t threadSpec) in(state byte) threadSpec {
	t.state = state
	if state != 'S' {
		t.sigwait = procinspect.KnownFlag(false)
	}
	return t
}

// zombieThread is a leader that called pthread_exit (§5): State Z, SigBlk 0,
// syscall -1, no wchan.
func zombieThread() threadSpec {
	return threadSpec{state: 'Z', blk: procinspect.KnownMask(0), syscall: -1, sigwait: procinspect.KnownFlag(false)}
}

// predictProc builds a process as the scanner reads it from the host's procfs:
// nspid is its NSpid line (host PID first, so a single element means the
// host's own namespace), cgt and ign its SigCgt and SigIgn, then the leader
// and any worker threads (TIDs predictPID, predictPID+1, …). Deep holds every
// thread, the sigtimedwait consumers, no signalfd and a non-Go executable.
func predictProc(name string, nspid []int, cgt, ign procinspect.SigSet, leader threadSpec, workers ...threadSpec) *procinspect.Process {
	all := append([]threadSpec{leader}, workers...)
	base := procinspect.Status{
		Name:      name,
		Tgid:      procinspect.KnownInt(nspid[0]),
		PPid:      procinspect.KnownInt(nspid[0] - 1),
		TracerPid: procinspect.KnownInt(0),
		Uid:       procinspect.Of([4]int{}),
		Threads:   procinspect.KnownInt(len(all)),
		NStgid:    nspid,
		SigQ:      "0/63432",
		SigPnd:    procinspect.KnownMask(0),
		ShdPnd:    procinspect.KnownMask(0),
		SigIgn:    procinspect.KnownMask(ign),
		SigCgt:    procinspect.KnownMask(cgt),
	}
	p := &procinspect.Process{
		PID:       nspid[0],
		InitialNS: procinspect.KnownFlag(len(nspid) == 1),
		Deep:      &procinspect.Deep{Go: procinspect.KnownFlag(false), Exe: "/usr/bin/" + name},
	}
	for i, t := range all {
		st := base
		st.State, st.SigBlk = t.state, t.blk
		st.NSpid = make([]int, len(nspid))
		for j, n := range nspid {
			st.NSpid[j] = n + i // a worker's TID at every level
		}
		if i == 0 {
			leader := st
			p.Status = &leader
		}
		th := procinspect.Thread{TID: nspid[0] + i, Status: st, Syscall: t.syscall, Wchan: t.wchan,
			Sigwait: t.sigwait, WaitSet: t.waitSet, WaitSetErr: t.waitErr}
		p.Deep.Threads = append(p.Deep.Threads, th)
		if t.sigwait.V {
			p.Deep.Consumers = append(p.Deep.Consumers,
				procinspect.Consumer{Kind: "sigtimedwait", TID: th.TID, FD: -1, Set: t.waitSet})
		}
	}
	return p
}

// nsInitProc is PID 1 of a namespace one level below the host's.
func nsInitProc(name string, cgt, ign procinspect.SigSet, leader threadSpec, workers ...threadSpec) *procinspect.Process {
	return predictProc(name, []int{predictPID, 1}, cgt, ign, leader, workers...)
}

// containerProc is an ordinary process (PID 7) of a namespace below the host's.
func containerProc(name string, cgt, ign procinspect.SigSet, leader threadSpec, workers ...threadSpec) *procinspect.Process {
	return predictProc(name, []int{predictPID, 7}, cgt, ign, leader, workers...)
}

// withSignalfd adds a signalfd that accepts set (fdinfo "sigmask:").
func withSignalfd(p *procinspect.Process, fd int, set procinspect.SigSet) *procinspect.Process {
	p.Deep.Consumers = append(p.Deep.Consumers, procinspect.Consumer{Kind: "signalfd", TID: p.PID, FD: fd, Set: procinspect.KnownMask(set)})
	return p
}

// withGo marks the executable as a Go program.
func withGo(p *procinspect.Process) *procinspect.Process {
	p.Deep.Go = procinspect.KnownFlag(true)
	p.Deep.Exe = "/app/server"
	return p
}

// withTracer sets TracerPid in every status file.
func withTracer(p *procinspect.Process, pid int) *procinspect.Process {
	p.Status.TracerPid = procinspect.KnownInt(pid)
	for i := range p.Deep.Threads {
		p.Deep.Threads[i].Status.TracerPid = procinspect.KnownInt(pid)
	}
	return p
}

// withShdPnd sets the shared pending set in every status file.
func withShdPnd(p *procinspect.Process, set procinspect.SigSet) *procinspect.Process {
	p.Status.ShdPnd = procinspect.KnownMask(set)
	for i := range p.Deep.Threads {
		p.Deep.Threads[i].Status.ShdPnd = procinspect.KnownMask(set)
	}
	return p
}

// withoutSigLines drops the five Sig* lines from every status file, as
// gVisor does (§12 item 10).
func withoutSigLines(p *procinspect.Process) *procinspect.Process {
	blank := func(s *procinspect.Status) {
		s.SigPnd, s.ShdPnd, s.SigBlk, s.SigIgn, s.SigCgt = procinspect.Mask{}, procinspect.Mask{}, procinspect.Mask{}, procinspect.Mask{}, procinspect.Mask{}
	}
	st := *p.Status // the snapshot's reading may be shared with another's
	blank(&st)
	p.Status = &st
	for i := range p.Deep.Threads {
		blank(&p.Deep.Threads[i].Status)
	}
	return p
}

// withoutNSpid drops the NStgid and NSpid lines from every status file.
func withoutNSpid(p *procinspect.Process) *procinspect.Process {
	p.Status.NSpid, p.Status.NStgid = nil, nil
	for i := range p.Deep.Threads {
		p.Deep.Threads[i].Status.NSpid, p.Deep.Threads[i].Status.NStgid = nil, nil
	}
	return p
}

// withoutDeep forgets the per-thread and per-fd facts, as for a process that
// was only listed, not read deeply.
func withoutDeep(p *procinspect.Process) *procinspect.Process {
	p.Deep = nil
	return p
}

// expect is a verdict and an outcome. When rule is set, the answer
// depends on that build-dependent kernel rule: v/o when the kernel answers
// yes, fv/fo when it answers no, and unknown when it was not measured.
type expect struct {
	v    Verdict
	o    Outcome
	rule procinspect.RuleName
	fv   Verdict
	fo   Outcome
}

// byRule is an expectation that depends on a measured kernel rule.
func byRule(rule procinspect.RuleName, ifTrue, ifFalse expect) expect {
	return expect{v: ifTrue.v, o: ifTrue.o, rule: rule, fv: ifFalse.v, fo: ifFalse.o}
}

// under resolves the expectation for kernel profile k.
func (e expect) under(k *procinspect.Kernel) expect {
	if e.rule == "" {
		return e
	}
	switch r := k.Rule(e.rule); {
	case !r.Value.Known:
		return wantUnknown
	case r.Value.V:
		return expect{v: e.v, o: e.o}
	}
	return expect{v: e.fv, o: e.fo}
}

// profiles are the kernel profiles every table case runs under: the
// mainline rules (the first 6.18.44 build measured), their opposite (a
// build whose fatal fast path spares an init, with the other rules flipped
// too so that every branch is exercised), and none (not probed).
var profiles = []struct {
	name string
	k    *procinspect.Kernel
}{
	{"mainline", (*procinspect.Kernel)(nil).WithRule(procinspect.RuleFastPathKillsInit, true, "test").
		WithRule(procinspect.RuleCoreFastPathKillsInit, false, "test").WithRule(procinspect.RuleTracedPassOnKillsInit, false, "test")},
	{"other build", (*procinspect.Kernel)(nil).WithRule(procinspect.RuleFastPathKillsInit, false, "test").
		WithRule(procinspect.RuleCoreFastPathKillsInit, true, "test").WithRule(procinspect.RuleTracedPassOnKillsInit, true, "test")},
	{"not probed", nil},
}

// Shorthands for the design vocabulary (docs/json.md, docs/kernel-signals.md §10).
var (
	wantNone       expect // no expectation: the document gives no result
	wantDropped    = expect{v: No, o: Dropped}
	wantIgnored    = expect{v: No, o: Ignored}
	wantTerminates = expect{v: Yes, o: Terminates}
	wantHandled    = expect{v: Depends, o: Handled}
	wantGoExits    = expect{v: Yes, o: Handled} // Go without signal.Notify: the runtime exits
	wantGoNothing  = expect{v: No, o: Handled}  // Go without signal.Notify: the runtime drops it
	wantConsumed   = expect{v: Depends, o: Consumed}
	wantQueued     = expect{v: No, o: Queued}
	wantDeferred   = expect{v: No, o: Deferred}      // stopped (T): waits for SIGCONT
	wantTracer     = expect{v: Depends, o: Deferred} // traced: the tracer decides
	// A fatal default signal at a multi-threaded init whose main thread
	// blocks it while a worker does not (§0 item 6, §11.1 row 18).
	wantFastPath = byRule(procinspect.RuleFastPathKillsInit, wantTerminates, wantDropped)
	wantCoreFast = byRule(procinspect.RuleCoreFastPathKillsInit, wantTerminates, wantDropped)
	// A default signal at a traced init, passed on by the tracer (§11.2).
	wantTracedInit = byRule(procinspect.RuleTracedPassOnKillsInit, wantTracer, wantDropped)
	wantStops      = expect{v: No, o: Stops}
	wantGone       = expect{v: No, o: Gone}
	wantUnknown    = expect{v: VerdictUnknown, o: OutcomeUnknown}
)

// predictCase is one call of Predict and what docs/kernel-signals.md says it
// should answer.
type predictCase struct {
	name string // "DOC-MISMATCH …" where Predict once disagreed with the document
	p    *procinspect.Process
	sig  Signal
	from Sender
	want expect
	// reasonHas and reasonLacks are optional substrings the reason must
	// (or must not) contain.
	reasonHas, reasonLacks string
}

// predictMatrix expands one row of §11.1: SIGTERM inside, SIGTERM from the host,
// SIGKILL inside and SIGKILL from the host. A wantNone cell is left out.
func predictMatrix(name string, p *procinspect.Process, termIn, termHost, killIn, killHost expect) []predictCase {
	var out []predictCase
	for _, c := range []predictCase{
		{sig: procinspect.SIGTERM, from: Inside, want: termIn},
		{sig: procinspect.SIGTERM, from: Host, want: termHost},
		{sig: procinspect.SIGKILL, from: Inside, want: killIn},
		{sig: procinspect.SIGKILL, from: Host, want: killHost},
	} {
		if c.want == wantNone {
			continue
		}
		c.name, c.p = name, p
		out = append(out, c)
	}
	return out
}

// predictOne is a single case.
func predictOne(name string, p *procinspect.Process, sig Signal, from Sender, want expect) predictCase {
	return predictCase{name: name, p: p, sig: sig, from: from, want: want}
}

// Masks from the measurements (§11.1, §8.1).
const (
	goCgt      procinspect.SigSet = 0xfffffffd7fc1feff // Go runtime: every signal but KILL, CONT, STOP, TSTP, TTIN, TTOU, 32, 34
	goSigMBlk  procinspect.SigSet = 0xfffffffc3bba3a00 // the signal.Notify thread (ensureSigM)
	tiniWait   procinspect.SigSet = 0xfffffffe3fcffb07 // tini's rt_sigtimedwait set, read from /proc/PID/mem
	setxidCgt  procinspect.SigSet = 0x100000000        // glibc SIGSETXID after pthread_create
	sigTERMBit procinspect.SigSet = 0x4000
	sigQUITBit procinspect.SigSet = 0x4
)

// matrixCases covers every row of docs/kernel-signals.md §11.1. Cells marked "–"
// in the table (the init had already exited on SIGTERM) take their SIGKILL
// result from §10.1: always dropped inside, always killed from the host.
func matrixCases() []predictCase {
	var cs []predictCase
	add := func(c ...predictCase) { cs = append(cs, c...) }

	add(predictMatrix("§11.1 row 1 sleep",
		nsInitProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 2 sh -c sleep",
		nsInitProc("sh", 0x10002, 0, sleepingThread("do_wait", unix.SYS_WAIT4, 0)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 3 sh -c sleep;true",
		nsInitProc("sh", 0x10002, 0, sleepingThread("do_wait", unix.SYS_WAIT4, 0)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 4 bash -c",
		nsInitProc("bash", 0x10002, 0x4, sleepingThread("do_wait", unix.SYS_WAIT4, 0x10000)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 5 bash -i TERM SIG_IGN",
		nsInitProc("bash", 0x4b813efb, 0x384004, sleepingThread("poll_schedule_timeout.constprop.0", 270, 0)),
		wantIgnored, wantIgnored, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 6 C pause no handlers",
		nsInitProc("pause", 0, 0, pausedThread(0)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 7 C TERM handler exits",
		nsInitProc("handler", sigTERMBit, 0, pausedThread(0)),
		wantHandled, wantHandled, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 8 C TERM SIG_IGN",
		nsInitProc("ignterm", 0, sigTERMBit, pausedThread(0)),
		wantIgnored, wantIgnored, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 9 C blocks TERM SIG_DFL",
		nsInitProc("blockterm", 0, 0, pausedThread(sigTERMBit)),
		wantQueued, wantQueued, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 10 C blocks TERM+INT reads signalfd",
		withSignalfd(nsInitProc("sfd", 0, 0, sleepingThread("signalfd_read_iter", 0, 0x4002)), 3, 0x4002),
		wantConsumed, wantConsumed, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 11 C signalfd TERM+INT not blocked",
		withSignalfd(nsInitProc("sfd", 0, 0, sleepingThread("signalfd_read_iter", 0, 0)), 3, 0x4002),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 12 C blocks TERM sigwaitinfo",
		nsInitProc("sigwait", 0, 0, sigwaitThread(sigTERMBit)),
		wantConsumed, wantConsumed, wantDropped, wantTerminates)...)
	// Row 13 measured "ignored" for SIGTERM, but its /proc facts are the
	// same as row 12's: real_blocked is not exported. §4.2 and §10.2 tell
	// the decision procedure to assume the wait set was blocked first
	// (CONSUMED), and the reason must say so.
	for _, c := range predictMatrix("§11.1 row 13 C sigwaitinfo without blocking (§10.2 heuristic)",
		nsInitProc("sigwait", 0, 0, sigwaitThread(sigTERMBit)),
		wantConsumed, wantConsumed, wantDropped, wantTerminates) {
		if c.sig == procinspect.SIGTERM {
			c.reasonHas = "assuming it blocked SIGTERM"
		}
		add(c)
	}
	add(predictMatrix("§11.1 row 14 tini",
		nsInitProc("tini", 0, 0x300000, sigwaitThread(tiniWait)),
		wantConsumed, wantConsumed, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 15 python3",
		nsInitProc("python3", 0x2, 0x1001000, sleepingThread("hrtimer_nanosleep", 230, 0)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 16 Go no Notify 4 threads",
		withGo(nsInitProc("server", goCgt, 0, sleepingThread("do_epoll_wait", 281, 0),
			sleepingThread("futex_do_wait", 202, 0), sleepingThread("futex_do_wait", 202, 0), sleepingThread("futex_do_wait", 202, 0))),
		wantGoExits, wantGoExits, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 17 Go Notify 6 threads",
		withGo(nsInitProc("server", goCgt, 0, sleepingThread("futex_do_wait", 202, goSigMBlk),
			sleepingThread("do_epoll_wait", 281, 0), sleepingThread("futex_do_wait", 202, 0), sleepingThread("futex_do_wait", 202, 0),
			sleepingThread("futex_do_wait", 202, 0), sleepingThread("futex_do_wait", 202, 0))),
		wantHandled, wantHandled, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 18 leader blocks TERM worker not",
		nsInitProc("mt", setxidCgt, 0, pausedThread(sigTERMBit), pausedThread(0)),
		wantFastPath, wantFastPath, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 19 worker blocks TERM leader not",
		nsInitProc("mt", setxidCgt, 0, pausedThread(0), pausedThread(sigTERMBit)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	add(predictMatrix("§11.1 row 20 both threads block TERM",
		nsInitProc("mt", setxidCgt, 0, pausedThread(sigTERMBit), pausedThread(sigTERMBit)),
		wantQueued, wantQueued, wantDropped, wantTerminates)...)
	return cs
}

// specialCases covers docs/kernel-signals.md §11.2, §5, §6, §7 and §8.
func specialCases() []predictCase {
	var cs []predictCase
	add := func(c ...predictCase) { cs = append(cs, c...) }

	// Stopped inits (§11.2, §6 row T).
	stoppedHandler := nsInitProc("handler", sigTERMBit, 0, pausedThread(0).in('T'))
	add(predictOne("§11.2 init with TERM handler STOP inside", nsInitProc("handler", sigTERMBit, 0, pausedThread(0)), procinspect.SIGSTOP, Inside, wantDropped))
	add(predictOne("§11.2 init with TERM handler STOP host", nsInitProc("handler", sigTERMBit, 0, pausedThread(0)), procinspect.SIGSTOP, Host, wantStops))
	add(predictOne("§11.2 stopped init with TERM handler TERM host", stoppedHandler, procinspect.SIGTERM, Host, wantDeferred))
	add(predictOne("§11.2 stopped init with TERM handler TERM inside", stoppedHandler, procinspect.SIGTERM, Inside, wantDeferred))
	stoppedSleep := nsInitProc("sleep", 0, 0, sleepingThread("do_signal_stop", 230, 0).in('T'))
	add(predictOne("§11.2 sleep init STOP inside", nsInitProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0)), procinspect.SIGSTOP, Inside, wantDropped))
	add(predictOne("§11.2 sleep init STOP host", nsInitProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0)), procinspect.SIGSTOP, Host, wantStops))
	add(predictMatrix("§11.2 init without handlers stopped from host", stoppedSleep,
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	// §2 and §10 ("SIGCONT still resumes a stopped target … even to an
	// init"): the SIGCONT itself is dropped, but the init resumes, and the
	// reason must not leave the reader thinking nothing happens.
	c := predictOne("DOC-MISMATCH §2 §11.2 stopped sleep init CONT inside resumes it", stoppedSleep, procinspect.SIGCONT, Inside, wantDropped)
	c.reasonHas = "resume"
	add(c)
	// §11.2: a stopped init with a TERM handler and the host's TERM
	// pending; kill -CONT 1 inside resumed it, the handler ran, it exited 0.
	add(predictOne("DOC-MISMATCH §11.2 stopped init with pending caught TERM CONT inside runs the handler",
		withShdPnd(nsInitProc("handler", sigTERMBit, 0, pausedThread(0).in('T')), sigTERMBit), procinspect.SIGCONT, Inside, wantHandled))

	// Traced inits (§11.2, §6 init-specific ptrace facts).
	traced := withTracer(nsInitProc("pause", 0, 0, pausedThread(0)), predictTracerPID)
	add(predictMatrix("§11.2 init traced by strace", traced, wantTracedInit, wantTracedInit, wantDropped, wantTerminates)...)
	add(predictOne("§11.2 traced init STOP inside", traced, procinspect.SIGSTOP, Inside, wantStops))
	add(predictOne("§6 init in tracing stop TERM inside",
		withTracer(nsInitProc("pause", 0, 0, pausedThread(0).in('t')), predictTracerPID), procinspect.SIGTERM, Inside, wantTracer))

	// Zombies (§6 row Z, §5, §11.2).
	zombie := containerProc("sleep", 0, 0, zombieThread())
	add(predictMatrix("§11.2 zombie child", zombie, wantGone, wantGone, wantGone, wantGone)...)
	add(predictMatrix("§6 zombie child not read deeply", withoutDeep(containerProc("sleep", 0, 0, zombieThread())),
		wantGone, wantGone, wantGone, wantGone)...)
	add(predictMatrix("§11.2 init whose leader did pthread_exit",
		nsInitProc("mt", setxidCgt, 0, zombieThread(), pausedThread(0)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)
	shallowZombieLeader := withoutDeep(nsInitProc("mt", setxidCgt, 0, zombieThread(), pausedThread(0)))
	add(predictOne("§5 init whose leader did pthread_exit not read deeply KILL inside", shallowZombieLeader, procinspect.SIGKILL, Inside, wantDropped))
	add(predictOne("§5 init whose leader did pthread_exit not read deeply KILL host", shallowZombieLeader, procinspect.SIGKILL, Host, wantTerminates))

	// D sleeps (§6 row D, §11.2 vfork).
	add(predictOne("§11.2 ordinary process in vfork D TERM", containerProc("vfork", 0, 0, sleepingThread("kernel_clone", 58, 0).in('D')), procinspect.SIGTERM, Inside, wantTerminates))
	add(predictOne("§6 ordinary process in D KILL", containerProc("vfork", 0, 0, sleepingThread("kernel_clone", 58, 0).in('D')), procinspect.SIGKILL, Inside, wantTerminates))
	add(predictMatrix("§11.2 init in vfork D", nsInitProc("vfork", 0, 0, sleepingThread("kernel_clone", 58, 0).in('D')),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)

	// Ordinary (non-init) processes (§6, §11.2).
	add(predictMatrix("§6 ordinary sleep", containerProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0)),
		wantTerminates, wantTerminates, wantTerminates, wantTerminates)...)
	add(predictOne("§11.2 ordinary sleep stopped TERM", containerProc("sleep", 0, 0, sleepingThread("do_signal_stop", 230, 0).in('T')), procinspect.SIGTERM, Inside, wantDeferred))
	add(predictOne("§11.2 ordinary sleep stopped KILL", containerProc("sleep", 0, 0, sleepingThread("do_signal_stop", 230, 0).in('T')), procinspect.SIGKILL, Inside, wantTerminates))
	add(predictOne("§11.2 ordinary process blocking TERM", containerProc("blockterm", 0, 0, pausedThread(sigTERMBit)), procinspect.SIGTERM, Inside, wantQueued))
	// §11.2: "ordinary sleep stopped + SIGTERM … died (−15) after SIGCONT".
	add(predictOne("DOC-MISMATCH §11.2 ordinary sleep stopped with TERM pending dies on CONT",
		withShdPnd(containerProc("sleep", 0, 0, sleepingThread("do_signal_stop", 230, 0).in('T')), sigTERMBit), procinspect.SIGCONT, Inside, wantTerminates))

	// Default-ignore signals (§2, §3.3 rule 3d).
	ord := containerProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0))
	add(predictOne("§2 ordinary process CHLD default-ignore", ord, procinspect.SIGCHLD, Inside, wantIgnored))
	add(predictOne("§2 ordinary process CONT default-ignore", ord, procinspect.SIGCONT, Host, wantIgnored))
	c = predictOne("§2 stopped ordinary process CONT default-ignore resumes it",
		containerProc("sleep", 0, 0, sleepingThread("do_signal_stop", 230, 0).in('T')), procinspect.SIGCONT, Inside, wantIgnored)
	c.reasonHas = "resume"
	add(c)

	// Go and Python (§8.2, §8.3, §11.2).
	goInit := withGo(nsInitProc("server", goCgt, 0, sleepingThread("do_epoll_wait", 281, 0),
		sleepingThread("futex_do_wait", 202, 0), sleepingThread("futex_do_wait", 202, 0), sleepingThread("futex_do_wait", 202, 0)))
	add(predictOne("§11.2 Go init no Notify INT inside", goInit, procinspect.SIGINT, Inside, wantGoExits))
	add(predictOne("§11.2 Go init no Notify HUP inside", goInit, procinspect.SIGHUP, Inside, wantGoExits))
	add(predictOne("§11.2 Go init no Notify USR1 inside", goInit, 10, Inside, wantGoNothing))
	add(predictOne("§11.2 Go ordinary process no Notify TERM", withGo(containerProc("server", goCgt, 0, sleepingThread("do_epoll_wait", 281, 0),
		sleepingThread("futex_do_wait", 202, 0))), procinspect.SIGTERM, Inside, wantGoExits))
	add(predictOne("§11.2 python3 init INT inside caught",
		nsInitProc("python3", 0x2, 0x1001000, sleepingThread("hrtimer_nanosleep", 230, 0)), procinspect.SIGINT, Inside, wantHandled))

	// Global init (§7, §0 item 9). Inside and host are the same place.
	globalDfl := predictProc("init", []int{1}, 0, 0, sleepingThread("do_epoll_wait", 232, 0))
	add(predictMatrix("§7 global init SIG_DFL", globalDfl, wantDropped, wantDropped, wantDropped, wantDropped)...)
	for _, cc := range predictMatrix("§7 global init KILL host not forced", globalDfl, wantNone, wantNone, wantNone, wantDropped) {
		cc.reasonLacks = "forced past"
		add(cc)
	}
	add(predictOne("§7 global init STOP host", globalDfl, procinspect.SIGSTOP, Host, wantDropped))
	add(predictMatrix("§7 global init TERM caught",
		predictProc("init", []int{1}, sigTERMBit, 0, sleepingThread("do_epoll_wait", 232, 0)),
		wantHandled, wantHandled, wantDropped, wantDropped)...)

	// Host sender to a process in the initial namespace: the host is
	// "inside", nothing is forced (docs/kernel-signals.md §3.2, docs/json.md).
	for _, cc := range predictMatrix("§3.2 host process in the initial namespace",
		predictProc("sleep", []int{predictPID}, 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0)),
		wantTerminates, wantTerminates, wantTerminates, wantTerminates) {
		cc.reasonLacks = "ancestor"
		add(cc)
	}

	// A nested namespace (level 2): the host is an ancestor (§3.2).
	add(predictMatrix("§3.2 nested namespace init",
		predictProc("sleep", []int{predictPID, 40, 1}, 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0)),
		wantDropped, wantDropped, wantDropped, wantTerminates)...)

	// §10.2: the thread that takes the signal is itself in rt_sigtimedwait
	// for it, so the wait dequeues it and there is no fast path (§4.2).
	add(predictMatrix("§10.2 leader blocks TERM worker sigwaits for it",
		nsInitProc("mt", setxidCgt, 0, pausedThread(sigTERMBit), sigwaitThread(sigTERMBit)),
		wantConsumed, wantConsumed, wantDropped, wantTerminates)...)
	// §10.2: several eligible threads, one of them a sigtimedwait reader:
	// the kernel's pick (curr_target) is not in /proc.
	add(predictOne("§10.2 leader blocks TERM one worker sigwaits another does not",
		nsInitProc("mt", setxidCgt, 0, pausedThread(sigTERMBit), sigwaitThread(sigTERMBit), pausedThread(0)), procinspect.SIGTERM, Inside, wantUnknown))
	// §4.1: a signalfd receives the signal only if every thread blocks it;
	// here a worker does not, so the fast path kills the init (§5).
	add(predictOne("§4.1 signalfd for TERM but a worker does not block it",
		withSignalfd(nsInitProc("sfd", 0, 0, sleepingThread("signalfd_read_iter", 0, sigTERMBit), pausedThread(0)), 3, sigTERMBit), procinspect.SIGTERM, Host, wantFastPath))

	// Coredump signals skip the fatal fast path (§3.4), so the §5 bypass
	// does not apply, and get_signal drops them at an init.
	coreInit := nsInitProc("mt", setxidCgt, 0, pausedThread(sigQUITBit), pausedThread(0))
	add(predictOne("§3.4 QUIT leader blocks worker not", coreInit, procinspect.SIGQUIT, Inside, wantCoreFast))
	add(predictOne("§3.4 QUIT leader blocks worker not host", coreInit, procinspect.SIGQUIT, Host, wantCoreFast))
	return cs
}

// unknownCases covers facts that could not be read (docs/kernel-signals.md
// §12 item 10; unknown is never 0, docs/json.md).
func unknownCases() []predictCase {
	var cs []predictCase
	add := func(c ...predictCase) { cs = append(cs, c...) }

	add(predictMatrix("§12 gVisor no Sig lines",
		withoutSigLines(nsInitProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0))),
		wantUnknown, wantUnknown, wantDropped, wantTerminates)...)
	add(predictMatrix("§12 NSpid missing",
		withoutNSpid(nsInitProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0))),
		wantUnknown, wantUnknown, wantUnknown, wantUnknown)...)

	waitUnreadable := sigwaitThread(0)
	waitUnreadable.waitSet, waitUnreadable.waitErr = procinspect.Mask{}, "reading process memory is turned off"
	add(predictMatrix("§4.2 tini wait set unreadable",
		nsInitProc("tini", 0, 0x300000, waitUnreadable),
		wantUnknown, wantUnknown, wantDropped, wantTerminates)...)

	multi := withoutDeep(nsInitProc("mt", setxidCgt, 0, pausedThread(sigTERMBit), pausedThread(0)))
	add(predictMatrix("§5 threads not read", multi, wantUnknown, wantUnknown, wantDropped, wantTerminates)...)

	// A worker whose syscall and wchan are unreadable might be the
	// sigtimedwait reader that takes the signal (§4.2, §10.2).
	worker := pausedThread(0)
	worker.syscall, worker.wchan, worker.sigwait = -2, "", procinspect.Flag{}
	add(predictOne("§10.2 worker wait state unreadable", nsInitProc("mt", setxidCgt, 0, pausedThread(sigTERMBit), worker), procinspect.SIGTERM, Inside, wantUnknown))

	// A single-threaded init that was only listed: whether its thread waits
	// in sigtimedwait (SigBlk then hides the saved mask) cannot be told.
	shallowInit := withoutDeep(nsInitProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0)))
	c := predictOne("§4.2 single-threaded init not read deeply", shallowInit, procinspect.SIGTERM, Inside, wantUnknown)
	c.reasonHas = "unless a thread waits in sigtimedwait"
	add(c)
	add(predictOne("§4.2 single-threaded init not read deeply KILL host", shallowInit, procinspect.SIGKILL, Host, wantTerminates))

	// Whether the namespace is the host's own decides whether SIGKILL from
	// the host is forced; SIGTERM is never forced (§3.2).
	nsUnknown := nsInitProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0))
	nsUnknown.InitialNS = procinspect.Flag{}
	add(predictMatrix("§3.2 namespace identity unknown", nsUnknown, wantDropped, wantDropped, wantDropped, wantUnknown)...)
	return cs
}

// Measured JVM masks (OpenJDK 17, PID 1 of a new namespace): SigCgt with
// and without -Xrs (HUP, INT, QUIT and TERM are the difference); every
// thread but two blocks SIGQUIT.
const (
	jvmCgt   procinspect.SigSet = 0x101005ccf
	jvmRsCgt procinspect.SigSet = 0x101001cc8
)

// jvmProc is a JVM with the leader waiting for the main thread, a worker
// that does not block SIGQUIT and two that do.
func jvmProc(p func(string, procinspect.SigSet, procinspect.SigSet, threadSpec, ...threadSpec) *procinspect.Process, exe string, cgt, ign procinspect.SigSet, argv ...string) *procinspect.Process {
	q := p(exe, cgt, ign, sleepingThread("futex_do_wait", 202, 0), sleepingThread("futex_do_wait", 202, 0),
		sleepingThread("futex_do_wait", 202, sigQUITBit), sleepingThread("do_epoll_wait", 232, sigQUITBit))
	q.Cmdline = argv
	return q
}

// javaCases: the JVM's shutdown handlers (HUP, INT, TERM: hooks, then exit
// 128+N) unless -Xrs or -XX:+ReduceSignalUsage.
func javaCases() []predictCase {
	var cs []predictCase
	add := func(c ...predictCase) { cs = append(cs, c...) }
	with := func(c predictCase, has string) predictCase { c.reasonHas = has; return c }
	jvm := jvmProc(nsInitProc, "java", jvmCgt, 0, "java", "-cp", "/app", "Main")
	for _, c := range predictMatrix("JVM init", jvm, expect{v: Yes, o: Handled}, expect{v: Yes, o: Handled}, wantDropped, wantTerminates) {
		if c.sig == procinspect.SIGTERM {
			c.reasonHas = "exits 143"
		}
		add(c)
	}
	add(with(predictOne("JVM init INT", jvm, procinspect.SIGINT, Host, expect{v: Yes, o: Handled}), "exits 130"))
	add(with(predictOne("JVM init HUP", jvm, procinspect.SIGHUP, Inside, expect{v: Yes, o: Handled}), "exits 129"))
	add(with(predictOne("JVM init QUIT", jvm, procinspect.SIGQUIT, Host, expect{v: No, o: Handled}), "thread dump"))
	add(with(predictOne("JVM not an init", jvmProc(containerProc, "java", jvmCgt, 0, "java", "Main"), procinspect.SIGTERM, Inside, expect{v: Yes, o: Handled}), "exits 143"))
	launcher := jvmProc(nsInitProc, "myapp", jvmCgt, 0, "/opt/myapp/bin/myapp")
	launcher.Deep.JVM = procinspect.KnownFlag(true)
	add(with(predictOne("libjvm launcher", launcher, procinspect.SIGTERM, Host, expect{v: Yes, o: Handled}), "is a JVM"))
	add(predictOne("libjvm not mapped", jvmProc(nsInitProc, "myapp", jvmCgt, 0, "/opt/myapp/bin/myapp"), procinspect.SIGTERM, Host, wantHandled))
	rs := jvmProc(nsInitProc, "java", jvmRsCgt, 0, "java", "-Xrs", "-cp", "/app", "Main")
	for _, c := range predictMatrix("JVM init -Xrs", rs, wantDropped, wantDropped, wantDropped, wantTerminates) {
		if c.sig == procinspect.SIGTERM {
			c.reasonHas = "command line has -Xrs"
		}
		add(c)
	}
	add(with(predictOne("JVM init -XX:+ReduceSignalUsage", jvmProc(nsInitProc, "java", jvmRsCgt, 0, "java", "-XX:+ReduceSignalUsage", "-jar", "app.jar"),
		procinspect.SIGINT, Host, wantDropped), "-XX:+ReduceSignalUsage"))
	// An application argument is not a JVM option: the masks still decide,
	// and the reason does not blame the command line.
	c := predictOne("JVM init, -Xrs after the main class", jvmProc(nsInitProc, "java", jvmRsCgt, 0, "java", "Main", "-Xrs"), procinspect.SIGTERM, Host, wantDropped)
	c.reasonHas, c.reasonLacks = "JAVA_TOOL_OPTIONS", "command line has"
	add(c)
	add(with(predictOne("JVM init TERM SIG_IGN inherited", jvmProc(nsInitProc, "java", jvmCgt&^sigTERMBit, sigTERMBit, "java", "Main"), procinspect.SIGTERM, Host, wantIgnored),
		"ignored when the JVM started"))
	return cs
}

// kthreadProc is a kernel thread as the host's procfs shows it: in the
// initial namespace, every signal SIG_IGN (ignore_signals()), SigIgn all
// ones, SIGKILL's bit included. kthread is what was read of PF_KTHREAD.
func kthreadProc(name string, pid int, kthread procinspect.Flag) *procinspect.Process {
	p := predictProc(name, []int{pid}, 0, ^procinspect.SigSet(0), sleepingThread("kthreadd", -1, 0))
	p.Kthread, p.Status.Kthread = kthread, kthread
	return p
}

// kthreadCases: user space's signals to kernel threads (sig_task_ignored,
// ignore_signals(), PF_KTHREAD).
func kthreadCases() []predictCase {
	var cs []predictCase
	add := func(c ...predictCase) { cs = append(cs, c...) }
	for _, c := range predictMatrix("kthreadd", kthreadProc("kthreadd", 2, procinspect.KnownFlag(true)),
		wantIgnored, wantIgnored, wantIgnored, wantIgnored) {
		c.reasonHas = "kernel thread: signals from user space have no effect"
		add(c)
	}
	// A scan reads a kernel thread only shallowly: no threads, no fds.
	add(predictMatrix("kthread read shallowly", withoutDeep(kthreadProc("kworker/0:1", 40, procinspect.KnownFlag(true))),
		wantIgnored, wantIgnored, wantIgnored, wantIgnored)...)
	c := predictOne("kthread SIGKILL names the rule", kthreadProc("kthreadd", 2, procinspect.KnownFlag(true)), procinspect.SIGKILL, Host, wantIgnored)
	c.reasonHas = "SIGKILL included"
	add(c)
	// Neither the Kthread line nor stat was read, but SIG_IGN for SIGKILL
	// is something only ignore_signals() sets.
	c = predictOne("kthread unknown, SigIgn has SIGKILL", withoutDeep(kthreadProc("kthreadd", 2, procinspect.Flag{})), procinspect.SIGKILL, Host, wantIgnored)
	c.reasonHas = "only the kernel's ignore_signals() sets"
	add(c)
	// A kthread that took SIGKILL back with allow_signal() (nfsd does).
	allowed := kthreadProc("nfsd", 50, procinspect.KnownFlag(true))
	allowed.Status.SigIgn = procinspect.KnownMask(^procinspect.SigSet(0) &^ procinspect.SigSet(0).With(procinspect.SIGKILL))
	allowed.Status.SigCgt = procinspect.KnownMask(procinspect.SigSet(0).With(procinspect.SIGKILL))
	add(predictOne("kthread allow_signal(SIGKILL)", allowed, procinspect.SIGKILL, Host, wantHandled))
	add(predictOne("kthread allow_signal(SIGKILL) TERM still ignored", allowed, procinspect.SIGTERM, Host, wantIgnored))
	// A kthread whose handler is SIG_DFL is not what the kernel makes.
	odd := kthreadProc("odd", 60, procinspect.KnownFlag(true))
	odd.Status.SigIgn = procinspect.KnownMask(0)
	add(predictOne("kthread with SIG_DFL", odd, procinspect.SIGTERM, Host, wantUnknown))
	// Known not to be a kernel thread: the generic rules.
	add(predictOne("user process with Kthread 0", withoutDeep(predictProc("sleep", []int{predictPID}, 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0))),
		procinspect.SIGKILL, Host, wantTerminates))
	return cs
}

func TestPredict(t *testing.T) {
	var cases []predictCase
	cases = append(cases, matrixCases()...)
	cases = append(cases, specialCases()...)
	cases = append(cases, unknownCases()...)
	cases = append(cases, kthreadCases()...)
	cases = append(cases, javaCases()...)
	for _, prof := range profiles {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s %s from %s", prof.name, c.name, c.sig, c.from), func(t *testing.T) {
				checkPredict(t, c, prof.k)
			})
		}
	}
}

func checkPredict(t *testing.T, c predictCase, k *procinspect.Kernel) {
	want := c.want.under(k)
	got := Predict(c.p, c.sig, c.from, k)
	t.Logf("%s/%s: %s", got.Verdict, got.Outcome, got.Reason)
	if got.Verdict != want.v || got.Outcome != want.o {
		t.Errorf("Predict(%s, %s, %s, nil) = %s/%s; want %s/%s (reason: %q)",
			c.name, c.sig, c.from, got.Verdict, got.Outcome, want.v, want.o, got.Reason)
	}
	if c.want.rule != "" {
		// The reason names the rule that decided, or says it was not measured.
		if r := k.Rule(c.want.rule); r.Value.Known && !strings.Contains(got.Reason, string(c.want.rule)) ||
			!r.Value.Known && !strings.Contains(got.Reason, "this kernel was not measured") {
			t.Errorf("Predict(%s, %s, %s, nil).Reason = %q; want it to name rule %s or say it was not measured", c.name, c.sig, c.from, got.Reason, c.want.rule)
		}
	}
	if got.Signal != c.sig || got.From != c.from {
		t.Errorf("Predict(%s, %s, %s, nil) echoes %s from %s; want %s from %s",
			c.name, c.sig, c.from, got.Signal, got.From, c.sig, c.from)
	}
	if msg := sentenceProblem(got.Reason); msg != "" {
		t.Errorf("Predict(%s, %s, %s, nil).Reason %s: %q", c.name, c.sig, c.from, msg, got.Reason)
	}
	if c.reasonHas != "" && !strings.Contains(got.Reason, c.reasonHas) {
		t.Errorf("Predict(%s, %s, %s, nil).Reason = %q; want it to contain %q", c.name, c.sig, c.from, got.Reason, c.reasonHas)
	}
	if c.reasonLacks != "" && strings.Contains(got.Reason, c.reasonLacks) {
		t.Errorf("Predict(%s, %s, %s, nil).Reason = %q; want it without %q", c.name, c.sig, c.from, got.Reason, c.reasonLacks)
	}
}

// sentenceProblem says why r is not one plain sentence on one line, or ""
// if it is.
func sentenceProblem(r string) string {
	switch {
	case strings.TrimSpace(r) == "":
		return "is empty"
	case strings.ContainsAny(r, "\n\r"):
		return "holds a line break"
	case r != strings.TrimSpace(r):
		return "has leading or trailing space"
	}
	rs := []rune(r)
	for i := 0; i+2 < len(rs); i++ {
		if strings.ContainsRune(".!?", rs[i]) && rs[i+1] == ' ' && unicode.IsUpper(rs[i+2]) {
			return "holds more than one sentence"
		}
	}
	return ""
}

func TestPredictSentenceProblem(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"the kernel drops it at send time", true},
		{"SIGKILL cannot be caught, blocked or ignored; sent from an ancestor namespace it is forced", true},
		{"", false},
		{"  ", false},
		{"one line\nand another", false},
		{"It drops it. Then it exits", false},
	} {
		if got := sentenceProblem(c.in) == ""; got != c.ok {
			t.Errorf("sentenceProblem(%q) == \"\" is %v; want %v", c.in, got, c.ok)
		}
	}
}

// withLeaderAfterWorker renumbers p's first worker below the leader's TID,
// as after a PID wrap in the namespace the procfs belongs to, and lists the
// threads by TID, as /proc/PID/task does: the leader is no longer first.
func withLeaderAfterWorker(p *procinspect.Process) *procinspect.Process {
	w := &p.Deep.Threads[1]
	w.TID = p.PID - 100
	w.Status.NSpid = []int{w.TID, 2}
	p.Deep.Threads[0], p.Deep.Threads[1] = p.Deep.Threads[1], p.Deep.Threads[0]
	for i := range p.Deep.Consumers {
		if p.Deep.Consumers[i].TID == p.PID+1 {
			p.Deep.Consumers[i].TID = w.TID
		}
	}
	return p
}

// TestPredictLeaderIsTheMainThread: complete_signal offers a signal to the
// main thread first, whatever its place in TID order (trust issue: after a
// PID wrap an init that waits for SIGTERM in sigtimedwait was "unknown").
func TestPredictLeaderIsTheMainThread(t *testing.T) {
	p := withLeaderAfterWorker(nsInitProc("waiter", 0, 0, sigwaitThread(sigTERMBit), pausedThread(0)))
	if p.Deep.Threads[0].TID > p.Deep.Threads[1].TID || p.Deep.Threads[1].TID != p.PID {
		t.Fatalf("fixture: threads %d, %d; want the worker first and the leader (TID %d) second", p.Deep.Threads[0].TID, p.Deep.Threads[1].TID, p.PID)
	}
	for _, prof := range profiles {
		for _, from := range Senders {
			got := Predict(p, procinspect.SIGTERM, from, prof.k)
			if got.Verdict != Depends || got.Outcome != Consumed || !strings.Contains(got.Reason, fmt.Sprintf("thread %d", p.PID)) {
				t.Errorf("%s, from %s: %s/%s (%s); want depends/consumed by thread %d, the main thread", prof.name, from, got.Verdict, got.Outcome, got.Reason, p.PID)
			}
		}
	}
}

// TestPredictResumedInitNoFastPath: a fatal signal left pending at a
// stopped init is not on the fatal fast path when SIGCONT resumes it
// (complete_signal ran while every thread was stopped), whatever this
// kernel's fast path does: get_signal drops it at the init.
func TestPredictResumedInitNoFastPath(t *testing.T) {
	// The main thread blocks SIGTERM, the worker does not: the case where
	// the fast path would decide, had the threads been running.
	p := withShdPnd(nsInitProc("blockterm", 0, 0, pausedThread(sigTERMBit).in('T'), pausedThread(0).in('T')), sigTERMBit)
	for _, prof := range profiles {
		got := Predict(p, procinspect.SIGCONT, Inside, prof.k)
		if got.Verdict != No || got.Outcome != Dropped || !strings.Contains(got.Reason, "resume") {
			t.Errorf("%s: SIGCONT with SIGTERM pending: %s/%s (%s); want no/dropped, resumed", prof.name, got.Verdict, got.Outcome, got.Reason)
		}
	}
}

// TestPredictResumeNoSecondLook: SIGCONT to a stopped process whose
// thread's wait state is unreadable says what the pending signal needs,
// and takes no "unless a thread waits for SIGCONT" second look (the
// pending signal's waiters are not SIGCONT's).
func TestPredictResumeNoSecondLook(t *testing.T) {
	th := sleepingThread("do_signal_stop", 230, 0).in('T')
	th.sigwait = procinspect.Flag{}
	p := withShdPnd(containerProc("sleep", 0, 0, th), sigTERMBit)
	for _, prof := range profiles {
		got := Predict(p, procinspect.SIGCONT, Inside, prof.k)
		if got.Verdict != VerdictUnknown || strings.HasPrefix(got.Reason, "unless") || !strings.Contains(got.Reason, "SIGTERM left pending") {
			t.Errorf("%s: %s/%s (%s); want unknown, naming the pending SIGTERM, without a second look", prof.name, got.Verdict, got.Outcome, got.Reason)
		}
	}
}
