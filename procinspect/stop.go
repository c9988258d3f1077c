package procinspect

import (
	"fmt"
	"time"
)

// Stop is what a container runtime's stop does to a namespace init: send
// the stop signal from the host, wait a grace period, then SIGKILL
// (docs/kernel-signals.md §9).
type Stop struct {
	// By names the runtime: "docker stop" or "kubernetes".
	By string
	// Signal is the stop signal. /proc does not show an image's STOPSIGNAL,
	// so this is the default, SIGTERM.
	Signal Signal
	// Grace is the runtime's default grace period.
	Grace time.Duration
	// Verdict is whether the stop signal ends the init.
	Verdict Verdict
	// After is how long the stop takes: 0 when the stop signal ends it at
	// once, Grace when the runtime has to send SIGKILL; unknown when the
	// program decides.
	After Flag
	// AfterGrace is set when the stop ends with SIGKILL after the grace period.
	AfterGrace bool
	// Exit is the exit status the runtime will report, when known.
	Exit Int
	// Summary is one sentence for people.
	Summary string
}

// runtimes are the stops sigview describes, with their default grace.
var runtimes = []struct {
	by    string
	grace time.Duration
	how   string
}{
	{"docker stop", 10 * time.Second, "docker stop sends SIGTERM from the host"},
	{"kubernetes", 30 * time.Second, "Kubernetes sends SIGTERM from the host (after any preStop hook, which the grace period includes)"},
}

// StopsFor predicts `docker stop` and a Kubernetes pod deletion for an init
// of a non-host namespace. It returns nil for a process that is not such an
// init.
func StopsFor(p *Process, k *Kernel) []Stop {
	if isInit, ok := p.Status.IsInit(); !ok || !isInit || !p.InitialNS.Known || p.InitialNS.V {
		return nil
	}
	pr := Predict(p, SIGTERM, Host, k)
	out := make([]Stop, 0, len(runtimes))
	for _, rt := range runtimes {
		st := Stop{By: rt.by, Signal: SIGTERM, Grace: rt.grace, Verdict: pr.Verdict}
		g := fmt.Sprintf("%d s", int(rt.grace.Seconds()))
		switch pr.Verdict {
		case Yes:
			st.After, st.Exit = KnownFlag(true), pr.Exit
			exit := "the exit status is the program's"
			if pr.Exit.Known {
				exit = fmt.Sprintf("exit status %d", pr.Exit.V)
			}
			when := "it ends at once"
			if pr.Outcome == Handled {
				when = "it ends once its handler has run" // a JVM's shutdown hooks can take a while
			}
			st.Summary = fmt.Sprintf("%s: %s (%s), %s", rt.how, when, pr.Outcome, exit)
		case No:
			st.After, st.AfterGrace, st.Exit = KnownFlag(true), true, KnownInt(137)
			st.Summary = fmt.Sprintf("%s, which does not end it (%s): the runtime waits the full %s, then SIGKILL: exit status 137", rt.how, pr.Outcome, g)
		case Depends:
			st.Summary = fmt.Sprintf("%s to the program's own code (%s): it ends when that code exits, or with SIGKILL after %s (exit status 137)", rt.how, pr.Outcome, g)
		default:
			st.Summary = fmt.Sprintf("%s, and whether that ends it is unknown: at worst SIGKILL after %s (exit status 137)", rt.how, g)
		}
		out = append(out, st)
	}
	return out
}

// FixHint suggests how to make SIGTERM from the host end the init, fitting
// what was found; "" when it already does or nothing useful can be said.
func FixHint(p *Process, k *Kernel) string {
	if isInit, ok := p.Status.IsInit(); !ok || !isInit {
		return ""
	}
	pr := Predict(p, SIGTERM, Host, k)
	if pr.Verdict == Yes || pr.Verdict == VerdictUnknown || pr.Verdict == Depends && pr.Outcome != Deferred {
		return "" // it ends, or its own code decides, or too little is known
	}
	pg := Identify(p)
	switch {
	case pg == ProgShell && pr.Outcome == Deferred:
		bg := "run the long command in the background and wait for it (`cmd & wait $!`), so the trap runs at once"
		switch handles, who := childHandlesTERM(p); {
		case handles.Known && handles.V:
			return bg + "; or `exec` the command so it is PID 1 and handles SIGTERM itself"
		case handles.Known:
			return bg + "; " + who + ", so making it PID 1 would not help: as PID 1 it would ignore SIGTERM"
		}
		return bg + "; or, if the command handles SIGTERM, `exec` it so it is PID 1"
	case pg == ProgShell:
		const trap, tini = "add a trap (`trap 'kill -TERM $child; wait' TERM` with `cmd & child=$!; wait`)", "run with --init (tini), which forwards SIGTERM to the program"
		switch handles, who := childHandlesTERM(p); {
		case handles.Known && handles.V:
			return "use the exec form of ENTRYPOINT/CMD, or `exec` the program at the end of the script, so the program itself is PID 1 and handles SIGTERM; or " + trap + "; or " + tini
		case handles.Known:
			return tini + "; or " + trap + "; " + who + ", so making it PID 1 would not help: as PID 1 it would ignore SIGTERM"
		}
		return tini + "; or " + trap + "; or, if the program handles SIGTERM, `exec` it (or use the exec form of ENTRYPOINT/CMD) so it is PID 1"
	case pg == ProgPython:
		st := p.Status
		switch {
		case st.SigIgn.Known && st.SigIgn.Has(SIGINT):
			return "handle SIGTERM (signal.signal(signal.SIGTERM, …)), or run with --init (tini); STOPSIGNAL SIGINT would not help: SIGINT is ignored (SIG_IGN, likely inherited from its launcher, and Python keeps an inherited SIG_IGN)"
		case st.SigCgt.Known && st.SigCgt.Has(SIGINT):
			return "handle SIGTERM (signal.signal(signal.SIGTERM, …)), or set STOPSIGNAL SIGINT (Python exits on KeyboardInterrupt), or run with --init (tini)"
		}
		return "handle SIGTERM (signal.signal(signal.SIGTERM, …)), or run with --init (tini); SIGINT has no handler here either, so STOPSIGNAL SIGINT would not help"
	case pg == ProgJava && pr.Outcome == Dropped:
		return "the JVM installed no SIGTERM handler (-Xrs or -XX:+ReduceSignalUsage, on the command line or in JAVA_TOOL_OPTIONS): drop that option, and the JVM runs its shutdown hooks and exits 143; or run with --init (tini)"
	case pg == ProgNode:
		return "handle SIGTERM in the application (process.on('SIGTERM', …)), or run with --init (tini)"
	case pr.Outcome == Ignored:
		return "SIGTERM is ignored (SIG_IGN, perhaps inherited: it survives exec): start the program from a launcher that resets dispositions, or handle SIGTERM; --init (tini) forwards signals but cannot undo SIG_IGN in the child"
	case pr.Outcome == Queued:
		return "the program blocks SIGTERM and never reads it: read it with sigwaitinfo or a signalfd, or unblock it and install a handler"
	case pr.Outcome == Dropped:
		return "the program has no SIGTERM handler and the kernel protects PID 1: install a handler, or run it under an init that forwards signals (docker run --init, tini, dumb-init)"
	case pr.Outcome == Forwarded:
		return "the forwarding init's child does not end on SIGTERM: fix the child (a handler, or a stop signal it honours)"
	}
	return ""
}

// childHandlesTERM reports whether a shell's command would handle SIGTERM
// if it were PID 1: its SigCgt has SIGTERM, and it is not Node.js, whose
// handler re-raises what an init then drops. why says why not. Unknown
// when the shell has no live child or the child's masks are unreadable.
func childHandlesTERM(p *Process) (handles Flag, why string) {
	kids := p.liveChildren()
	if len(kids) == 0 {
		return Flag{}, ""
	}
	c := kids[0]
	who := Printable(c.Name()) + " (PID " + nsPIDText(c) + " inside)"
	switch {
	case !c.Status.SigCgt.Known:
		return Flag{}, ""
	case !c.Status.SigCgt.Has(SIGTERM):
		return KnownFlag(false), who + " has no SIGTERM handler"
	case Identify(c) == ProgNode:
		return KnownFlag(false), who + " is Node.js, whose default SIGTERM handler re-raises it"
	}
	return KnownFlag(true), ""
}
