package predict

import (
	"fmt"
	"regexp"
	"time"

	"github.com/sigview/sigview/procinspect"
)

// Stop is what a container engine's stop does to a namespace init: send
// the stop signal from the host, wait a grace period, then SIGKILL
// (docs/kernel-signals.md §9). The signal and the grace period are the
// container's own configuration, read from the engine's files
// (procinspect/engine), or the engine's defaults when they cannot be read.
type Stop struct {
	// Key names the stopper in the JSON document: "docker", "podman",
	// "containerd", "kubernetes".
	Key string
	// By names it for people: "docker stop", "Kubernetes".
	By string
	// Signal is the stop signal; 0 when the configured one is no signal
	// sigview knows (then the verdict is unknown).
	Signal Signal
	// Grace is the time the engine waits before SIGKILL.
	Grace time.Duration
	// SignalFrom and GraceFrom say where the signal and the grace period
	// came from: a file and a field, or a default and why.
	SignalFrom, GraceFrom string
	// SignalAssumed and GraceAssumed are set when the signal or the grace
	// period was not read from the container's own configuration (an
	// engine's default assumed; SignalFrom and GraceFrom say why).
	SignalAssumed, GraceAssumed bool
	// Verdict is whether the stop signal ends the init; Outcome what it
	// does (Gone: the init has already exited).
	Verdict Verdict
	Outcome Outcome
	// After is how long the stop takes: 0 when the stop signal ends it at
	// once, Grace when the runtime has to send SIGKILL; unknown when the
	// program decides.
	After procinspect.Flag
	// AfterGrace is set when the stop ends with SIGKILL after the grace period.
	AfterGrace bool
	// Takes is how long the program takes to end after the stop signal
	// when that is known (Prediction.Takes); 0 at once.
	Takes time.Duration
	// Exit is the exit status the runtime will report, when known.
	Exit procinspect.Int
	// Summary is one sentence for people.
	Summary string
}

// From says where the signal and the grace period came from, in one line:
// "SIGINT: Config.StopSignal in …; 3 s: Config.StopTimeout in …", each
// assumed value so marked: "SIGTERM: assumed: docker's default; …".
func (st Stop) From() string {
	mark := func(assumed bool) string {
		if assumed {
			return "assumed: "
		}
		return ""
	}
	return fmt.Sprintf("%s: %s%s; %d s: %s%s", st.SignalName(), mark(st.SignalAssumed), st.SignalFrom,
		int(st.Grace.Seconds()), mark(st.GraceAssumed), st.GraceFrom)
}

// Assumed reports whether the stop's signal or grace period was assumed.
func (st Stop) Assumed() bool { return st.SignalAssumed || st.GraceAssumed }

// ShortFrom is From with every file path cut to its base name, for a
// screen: "SIGINT: Config.StopSignal in config.v2.json; …".
func (st Stop) ShortFrom() string {
	return pathRE.ReplaceAllString(st.From(), "$1")
}

var pathRE = regexp.MustCompile(`[^\s;:()]*/([^\s;:()/]+)`)

func (st Stop) SignalName() string {
	if st.Signal == 0 {
		return "unknown signal"
	}
	return st.Signal.String()
}

// StopsFor predicts how the container's engine stops an init of a non-host
// namespace, from the container's configuration when its engine's files
// were read, else docker stop's and Kubernetes' defaults. It returns nil
// for a process that is not such an init.
func StopsFor(p *procinspect.Process, k *procinspect.Kernel) []Stop {
	return stopsFor(p, func(sig Signal) Prediction { return Predict(p, sig, Host, k) })
}

// stopsFor is StopsFor with the host's predictions given by hostPredict,
// so that an Assessment reuses the ones it made.
func stopsFor(p *procinspect.Process, hostPredict func(Signal) Prediction) []Stop {
	if isInit, ok := p.Status.IsInit(); !ok || !isInit || !p.InitialNS.Known || p.InitialNS.V {
		return nil
	}
	var plans []Plan
	if p.Engine != nil {
		if p.Engine.Pid != 0 && p.Engine.Pid != p.PID {
			// A namespace nested inside the container (unshare -pf in
			// it): the engine's stop signals the container's own init,
			// PID Engine.Pid, and this one dies with it.
			return nil
		}
		plans = plansOf(*p.Engine)
	}
	if len(plans) == 0 {
		why := "no engine file describes this namespace"
		if p.Container != nil {
			why = "sigview reads no stop configuration for " + p.Container.Runtime
		}
		plans = DefaultPlans(why)
	}
	out := make([]Stop, 0, len(plans))
	for _, pl := range plans {
		out = append(out, stopFor(pl, hostPredict))
	}
	return out
}

func stopFor(pl Plan, hostPredict func(Signal) Prediction) Stop {
	st := Stop{Key: pl.Key, By: pl.By, Grace: time.Duration(pl.Grace) * time.Second,
		SignalFrom: pl.SignalFrom, GraceFrom: pl.GraceFrom, SignalAssumed: pl.SignalAssumed, GraceAssumed: pl.GraceAssumed}
	g := fmt.Sprintf("%d s", pl.Grace)
	sig, err := procinspect.ParseSignal(pl.Signal)
	if err != nil {
		st.Verdict = VerdictUnknown
		st.Summary = fmt.Sprintf("%s sends %q, which is no signal sigview knows: at worst SIGKILL after %s (exit status 137)", pl.By, procinspect.Printable(pl.Signal), g)
		return st
	}
	st.Signal = sig
	pr := hostPredict(sig)
	st.Verdict, st.Outcome = pr.Verdict, pr.Outcome
	how := fmt.Sprintf("%s sends %s from the host", pl.By, sig)
	if pl.Key == "kubernetes" {
		how += " (after any preStop hook, which the grace period includes)"
	}
	if pl.Grace < 0 {
		// docker's StopTimeout -1: it waits for the container, forever.
		st.Summary = fmt.Sprintf("%s and, with a stop timeout of %d, waits for it to exit and never sends SIGKILL", how, pl.Grace)
		switch pr.Verdict {
		case Yes:
			st.After, st.Exit = procinspect.KnownFlag(true), pr.Exit
			st.Summary += fmt.Sprintf(": it ends at once (%s)", pr.Outcome)
		case No:
			st.Summary += fmt.Sprintf(": the signal does not end it (%s), so the stop never finishes", pr.Outcome)
		default:
			st.Summary += fmt.Sprintf(": the program's own code decides (%s)", pr.Outcome)
		}
		return st
	}
	if pl.Grace == 0 {
		// docker stop -t 0: the stop signal, then SIGKILL at once.
		st.After, st.AfterGrace = procinspect.KnownFlag(true), pr.Verdict != Yes
		st.Exit = procinspect.KnownInt(137)
		if pr.Verdict == Yes && pr.Outcome == Terminates {
			st.Exit = pr.Exit
		}
		st.Summary = fmt.Sprintf("%s and SIGKILL at once (a grace period of 0): it ends at once", how)
		if st.Exit.Known {
			st.Summary += fmt.Sprintf(", exit status %d", st.Exit.V)
		}
		return st
	}
	if pr.Verdict == Yes && pr.Takes.Known {
		if done, ok := st.takesLonger(pr, how, g); ok {
			return done
		}
	}
	switch pr.Verdict {
	case Yes:
		st.After, st.Exit = procinspect.KnownFlag(true), pr.Exit
		exit := "the exit status is the program's"
		if pr.Exit.Known {
			exit = fmt.Sprintf("exit status %d", pr.Exit.V)
		}
		when := "it ends at once"
		switch {
		case pr.Takes.Known:
			st.Takes = time.Duration(pr.Takes.V) * time.Second
			when = fmt.Sprintf("it ends about %d s after the signal", pr.Takes.V)
		case pr.Outcome == Handled:
			when = "it ends once its handler has run" // a JVM's shutdown hooks can take a while
		}
		st.Summary = fmt.Sprintf("%s: %s (%s), %s", how, when, pr.Outcome, exit)
	case No:
		st.After, st.AfterGrace, st.Exit = procinspect.KnownFlag(true), true, procinspect.KnownInt(137)
		st.Summary = fmt.Sprintf("%s, which does not end it (%s): it waits the full %s, then SIGKILL: exit status 137", how, pr.Outcome, g)
	case Depends:
		exit := ""
		if pr.Exit.Known {
			exit = fmt.Sprintf(" (exit status %d, unless the program decides otherwise)", pr.Exit.V)
		}
		st.Summary = fmt.Sprintf("%s to the program's own code (%s): it ends when that code exits%s, or with SIGKILL after %s (exit status 137)", how, pr.Outcome, exit, g)
	default:
		st.Summary = fmt.Sprintf("%s, and whether that ends it is unknown: at worst SIGKILL after %s (exit status 137)", how, g)
	}
	return st
}

// takesLonger decides a stop whose signal ends the program only after a
// known time (Prediction.Takes) that the grace period does not leave it:
// longer, the runtime's SIGKILL comes first (137); as long, which comes
// first is a race. ok is false when the grace period is longer.
func (st Stop) takesLonger(pr Prediction, how, g string) (Stop, bool) {
	takes := time.Duration(pr.Takes.V) * time.Second
	switch {
	case st.Grace > takes:
		return st, false
	case st.Grace < takes:
		st.Verdict, st.After, st.AfterGrace, st.Exit = No, procinspect.KnownFlag(true), true, procinspect.KnownInt(137)
		st.Summary = fmt.Sprintf("%s: it would end about %d s after it (%s), but the grace period is %s: SIGKILL comes first, exit status 137", how, pr.Takes.V, pr.Outcome, g)
	default:
		st.Verdict = Depends
		st.Summary = fmt.Sprintf("%s: it ends about %d s after it (%s), as long as the grace period: whether it or the runtime's SIGKILL (exit status 137) comes first is a race", how, pr.Takes.V, pr.Outcome)
	}
	return st, true
}

// AfterSeconds is how long the stop takes, in whole seconds, as
// after_seconds reports it: the grace period when SIGKILL is needed, else
// the time the program takes (0 at once); ok is false when unknown.
func (st Stop) AfterSeconds() (secs int, ok bool) {
	switch {
	case !st.After.Known:
		return 0, false
	case st.AfterGrace:
		return int(st.Grace.Seconds()), true
	}
	return int(st.Takes.Seconds()), true
}

// FixHint suggests how to make the container's stop signal (SIGTERM when
// none is known) from the host end the init, fitting what was found; ""
// when it already does or nothing useful can be said.
func FixHint(p *procinspect.Process, k *procinspect.Kernel) string {
	if isInit, ok := p.Status.IsInit(); !ok || !isInit {
		return ""
	}
	stops := StopsFor(p, k)
	return fixHint(p, Predict(p, StopSignal(stops), Host, k), stops)
}

// StopSignal is the signal the first stop sends: the container's own
// stop signal, or SIGTERM when there is no stop or its signal is unknown.
func StopSignal(stops []Stop) Signal {
	if len(stops) > 0 && stops[0].Signal != 0 {
		return stops[0].Signal
	}
	return procinspect.SIGTERM
}

// fixHint is FixHint from what an Assessment already holds: the stop
// signal from the host (pr) and the stops. The hints of p's programs come
// first (programs), then those by outcome; each names the stop signal.
func fixHint(p *procinspect.Process, pr Prediction, stops []Stop) string {
	if isInit, ok := p.Status.IsInit(); !ok || !isInit {
		return ""
	}
	if pr.Verdict == Yes || pr.Verdict == VerdictUnknown || pr.Verdict == Depends && pr.Outcome != Deferred {
		return "" // it ends, or its own code decides, or too little is known
	}
	sig := pr.Signal.String()
	if pr.Signal == procinspect.SIGTERM {
		// The programs' hints are about SIGTERM, the usual stop signal.
		if h := programHint(p, pr); h != "" {
			return h
		}
	} else {
		sig += ", the container's stop signal,"
	}
	switch {
	case pr.Outcome == Ignored:
		return fmt.Sprintf("%s is ignored (SIG_IGN, perhaps inherited: it survives exec): start the program from a launcher that resets dispositions, or handle it; --init (tini) forwards signals but cannot undo SIG_IGN in the child", sig)
	case pr.Outcome == Queued:
		return fmt.Sprintf("the program blocks %s and never reads it: read it with sigwaitinfo or a signalfd, or unblock it and install a handler", sig)
	case pr.Outcome == Dropped:
		return fmt.Sprintf("the program has no handler for %s and the kernel protects PID 1: install one, use a stop signal the program handles, or run it under an init that forwards signals (docker run --init, tini, dumb-init)", sig)
	case pr.Outcome == Forwarded:
		return fmt.Sprintf("the forwarding init's child does not end on %s: fix the child (a handler, or a stop signal it honours)", sig)
	}
	return ""
}

// shellHint: a shell that defers its trap, or has none.
func shellHint(p *procinspect.Process, pr Prediction) string {
	if pr.Outcome == Deferred {
		bg := "run the long command in the background and wait for it (`cmd & wait $!`), so the trap runs at once"
		switch handles, who := childHandlesTERM(p); {
		case handles.Known && handles.V:
			return bg + "; or `exec` the command so it is PID 1 and handles SIGTERM itself"
		case handles.Known:
			return bg + "; " + who + ", so making it PID 1 would not help: as PID 1 it would ignore SIGTERM"
		}
		return bg + "; or, if the command handles SIGTERM, `exec` it so it is PID 1"
	}
	const trap, tini = "add a trap (`trap 'kill -TERM $child; wait' TERM` with `cmd & child=$!; wait`)", "run with --init (tini), which forwards SIGTERM to the program"
	switch handles, who := childHandlesTERM(p); {
	case handles.Known && handles.V:
		return "use the exec form of ENTRYPOINT/CMD, or `exec` the program at the end of the script, so the program itself is PID 1 and handles SIGTERM; or " + trap + "; or " + tini
	case handles.Known:
		return tini + "; or " + trap + "; " + who + ", so making it PID 1 would not help: as PID 1 it would ignore SIGTERM"
	}
	return tini + "; or " + trap + "; or, if the program handles SIGTERM, `exec` it (or use the exec form of ENTRYPOINT/CMD) so it is PID 1"
}

// dumbInitHint: a dumb-init told to drop SIGTERM (--rewrite 15:0).
func dumbInitHint(p *procinspect.Process, pr Prediction) string {
	if o := p.InitOptions(); o != nil && pr.Outcome == Consumed {
		if rw, ok := o.Rewrite[procinspect.SIGTERM]; ok && rw.To == 0 {
			return fmt.Sprintf("dumb-init drops SIGTERM (%s): remove that option, or give the container a stop signal dumb-init forwards to a child that ends on it", rw.Option)
		}
	}
	return ""
}

// pythonHint: Python without a SIGTERM handler; whether STOPSIGNAL SIGINT
// helps depends on its SIGINT disposition.
func pythonHint(p *procinspect.Process, _ Prediction) string {
	st := p.Status
	switch {
	case st.SigIgn.Known && st.SigIgn.Has(procinspect.SIGINT):
		return "handle SIGTERM (signal.signal(signal.SIGTERM, …)), or run with --init (tini); STOPSIGNAL SIGINT would not help: SIGINT is ignored (SIG_IGN, likely inherited from its launcher, and Python keeps an inherited SIG_IGN)"
	case st.SigCgt.Known && st.SigCgt.Has(procinspect.SIGINT):
		return "handle SIGTERM (signal.signal(signal.SIGTERM, …)), or set STOPSIGNAL SIGINT (Python exits on KeyboardInterrupt), or run with --init (tini)"
	}
	return "handle SIGTERM (signal.signal(signal.SIGTERM, …)), or run with --init (tini); SIGINT has no handler here either, so STOPSIGNAL SIGINT would not help"
}

// javaHint: a JVM that dropped SIGTERM installed no handler.
func javaHint(_ *procinspect.Process, pr Prediction) string {
	if pr.Outcome != Dropped {
		return ""
	}
	return "the JVM installed no SIGTERM handler (-Xrs or -XX:+ReduceSignalUsage, on the command line or in JAVA_TOOL_OPTIONS): drop that option, and the JVM runs its shutdown hooks and exits 143; or run with --init (tini)"
}

// childHandlesTERM reports whether a shell's command would handle SIGTERM
// if it were PID 1: its SigCgt has SIGTERM, and it is not Node.js, whose
// handler re-raises what an init then drops. why says why not. Unknown
// when the shell has no live child or the child's masks are unreadable.
func childHandlesTERM(p *procinspect.Process) (handles procinspect.Flag, why string) {
	kids := liveChildren(p)
	if len(kids) == 0 {
		return procinspect.Flag{}, ""
	}
	c := kids[0]
	who := procinspect.Printable(c.Name()) + " (PID " + nsPIDText(c) + " inside)"
	switch {
	case !c.Status.SigCgt.Known:
		return procinspect.Flag{}, ""
	case !c.Status.SigCgt.Has(procinspect.SIGTERM):
		return procinspect.KnownFlag(false), who + " has no SIGTERM handler"
	case procinspect.Identify(c) == procinspect.ProgNode:
		return procinspect.KnownFlag(false), who + " is Node.js, whose default SIGTERM handler re-raises it"
	}
	return procinspect.KnownFlag(true), ""
}
