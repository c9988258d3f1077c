package predict

// What particular programs do with a signal (the behaviours of
// programs.go), and the forwarding of a known init to its child.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sigview/sigview/procinspect"
)

// javaRsFlag returns the option that stops the JVM from installing its
// SIGTERM, SIGINT and SIGHUP handlers (-Xrs, -XX:+ReduceSignalUsage) when
// it is among the JVM options of a java command line, those before the main
// class, -jar or -m; "" otherwise. JAVA_TOOL_OPTIONS can set it too, and is
// not read.
func javaRsFlag(argv []string) string {
	withValue := map[string]bool{"-cp": true, "-classpath": true, "--class-path": true,
		"-p": true, "--module-path": true, "--upgrade-module-path": true, "--add-modules": true,
		"--limit-modules": true, "--add-reads": true, "--add-exports": true, "--add-opens": true,
		"--patch-module": true, "--source": true}
	found := ""
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-Xrs" || a == "-XX:+ReduceSignalUsage":
			found = a
		case a == "-XX:-ReduceSignalUsage":
			found = ""
		case withValue[a]:
			i++
		case a == "-jar" || a == "-m" || a == "--module" || !strings.HasPrefix(a, "-"):
			return found // what follows belongs to the application
		}
	}
	return found
}

// liveChildren are the process's children that have not exited.
func liveChildren(p *process) []*process {
	var out []*process
	for _, c := range p.Children {
		if c.Status.State != 'Z' && c.Status.State != 'X' {
			out = append(out, c)
		}
	}
	return out
}

// forward predicts a signal that a known forwarding init received: it is
// sent on to the child, whose fate decides the init's. The init's own
// options (procinspect.InitOptions) decide what is sent and to whom:
// dumb-init's --rewrite, a process group (-g, dumb-init's setsid mode),
// catatonit's pause mode, tini's -e exit remap.
func (e *eval) forward(how string) Prediction {
	pr := e.forwardOnce(how)
	if e.program == procinspect.ProgTini {
		pr.Reason += tiniInert(e.p.InitOptions(), e.sig)
	}
	if pg := e.program; pg == procinspect.ProgDumbInit && (e.sig == procinspect.SIGTSTP || e.sig == procinspect.SIGTTIN || e.sig == procinspect.SIGTTOU) {
		return e.dumbInitSelfStop(pr)
	}
	return pr
}

// tiniInert says that tini's -s and -p, when given, change nothing of what
// it does with a signal it receives (tini.c: both are prctl calls before it
// starts its child; its signal loop is the same with them).
func tiniInert(o *procinspect.InitOptions, sig Signal) string {
	if o == nil {
		return ""
	}
	var out string
	if o.Subreaper {
		out += "; -s (TINI_SUBREAPER) changes nothing here: it makes tini a child subreaper, which decides only which orphans it reaps when it is not PID 1"
	}
	if pd := o.ParentDeath; pd != "" {
		then := "which tini then handles like any signal it receives"
		if s, err := procinspect.ParseSignal(pd); err == nil && s == procinspect.SIGKILL {
			then = "which kills it (from outside its namespace, SIGKILL is forced)"
		} else if err == nil && s == sig {
			then += ": as this one"
		}
		out += fmt.Sprintf("; -p %s changes nothing here: it has the kernel send tini %s when its parent (outside the namespace, the runtime's shim) dies, %s", procinspect.Printable(pd), procinspect.Printable(pd), then)
	}
	return out
}

// forwardOnce is forward without what dumb-init does to itself afterwards.
func (e *eval) forwardOnce(how string) Prediction {
	pg := e.program
	opts := e.p.InitOptions()
	if opts == nil {
		opts = &procinspect.InitOptions{}
	}
	if opts.Pause {
		return e.pauseMode(how)
	}
	sig, what := e.sig, "it"
	if rw, ok := opts.Rewrite[e.sig]; ok {
		if rw.To == 0 {
			return e.out(No, Consumed, "%s %s and rewrites %s to nothing (%s): the child never receives it, and %s keeps running", pg, how, e.name, rw.Option, pg)
		}
		sig, what = rw.To, fmt.Sprintf("%s instead (%s)", rw.To, rw.Option)
	}
	kids := liveChildren(e.p)
	if len(kids) == 0 {
		return e.out(Depends, Consumed, "%s (%s) %s; it forwards signals to its child, and no live child of it was found, so what it does is its own code", e.who, pg, how)
	}
	child := kids[0]
	cp := Predict(child, sig, Inside, e.k)
	childName := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(child.Name()), nsPIDText(child))
	if len(kids) > 1 {
		childName += fmt.Sprintf(" and %d more", len(kids)-1)
	}
	why := opts.GroupBy
	if opts.EnvUnknown != "" {
		why = strings.TrimPrefix(why+"; ", "; ") + opts.EnvUnknown
	}
	switch {
	case opts.Group:
		childName = "the process group of " + childName + " (" + why + ")"
		cp = e.groupDeferred(child, sig, cp)
	case why != "":
		childName += " alone (" + why + ")"
	}
	lead := fmt.Sprintf("%s %s and forwards %s to %s", pg, how, what, childName)
	switch cp.Verdict {
	case Yes:
		exit, code := "exits with the child's status", cp.Exit
		if code.Known {
			exit = fmt.Sprintf("exits %d", code.V)
			if slices.Contains(opts.ExitToZero, code.V) {
				exit = fmt.Sprintf("exits 0 (-e %d reports the child's %d as 0)", code.V, code.V)
				code = procinspect.KnownInt(0)
			}
		}
		pr := e.out(Yes, Forwarded, "%s; there: %s; %s then %s", lead, cp.Reason, pg, exit)
		// tini, dumb-init and catatonit all exit with the child's status
		// (128+N for a death by signal N).
		pr.Exit = code
		return pr
	case No:
		return e.out(No, Forwarded, "%s; there: %s; so %s keeps running", lead, cp.Reason, pg)
	}
	out := Forwarded
	if cp.Outcome == Deferred || cp.Outcome == Handled {
		out = cp.Outcome // the child's trap or handler, when it runs, decides
	}
	return e.out(cp.Verdict, out, "%s; there: %s", lead, cp.Reason)
}

// dumbInitSelfStop: after forwarding (or dropping) SIGTSTP, SIGTTIN or
// SIGTTOU, dumb-init sends itself SIGSTOP (dumb-init.c: handle_signal). At
// a namespace init the kernel drops it: the init's own signal is not forced
// from an ancestor, so pr (what the forwarding does) stands. Anywhere else
// dumb-init stops before it can act on its child's end.
func (e *eval) dumbInitSelfStop(pr Prediction) Prediction {
	if e.isInit {
		pr.Reason += "; dumb-init then sends itself SIGSTOP, which the kernel drops at a namespace init (its own signal, not forced from an ancestor)"
		return pr
	}
	pr.Verdict, pr.Outcome, pr.Exit = No, Stops, procinspect.Int{}
	pr.Reason += "; but dumb-init then sends itself SIGSTOP and is stopped; SIGCONT resumes it"
	return pr
}

// groupDeferred: a shell child whose trap waits for its foreground command
// runs it at once when that command, in the same process group, receives
// the forwarded signal too and ends of it.
func (e *eval) groupDeferred(shell *process, sig Signal, cp Prediction) Prediction {
	if cp.Outcome != Deferred || procinspect.Identify(shell) != procinspect.ProgShell {
		return cp
	}
	cmds := liveChildren(shell)
	if len(cmds) == 0 {
		return cp
	}
	c := cmds[0]
	if g := c.Status.NSPgid(); g == 0 || g != shell.Status.NSPgid() {
		// Its process group is unknown, or another (a shell with job
		// control puts each job in its own): the group's signal does
		// not reach it.
		return cp
	}
	gp := Predict(c, sig, Inside, e.k)
	if gp.Verdict != Yes {
		return cp
	}
	name := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(c.Name()), nsPIDText(c))
	pr := cp
	pr.Verdict, pr.Outcome, pr.Exit = Depends, Handled, procinspect.Int{}
	pr.Reason = fmt.Sprintf("%s has a %s trap and waits for its foreground command %s, which is in its process group (NSpgid %d in their status), so it receives %s too: %s; the trap then runs at once and decides", procinspect.Printable(shell.Name()), sig, name, c.Status.NSPgid(), sig, gp.Reason)
	return pr
}

// pauseMode is catatonit -P: no child; SIGTERM and SIGINT end it with
// status 0, any other signal is read and does nothing.
func (e *eval) pauseMode(how string) Prediction {
	if e.sig == procinspect.SIGTERM || e.sig == procinspect.SIGINT {
		return withExit(e.out(Yes, Handled, "%s is catatonit in pause mode (-P), which runs no child: it %s and exits 0", e.who, how), 0)
	}
	return e.out(No, Consumed, "%s is catatonit in pause mode (-P), which runs no child: it %s and does nothing with it (only SIGTERM and SIGINT end it)", e.who, how)
}

func nsPIDText(p *process) string {
	if n := p.Status.NSPID(); n > 0 {
		return fmt.Sprint(n)
	}
	return "?"
}

func pauseHandle(e *eval) (Prediction, bool) {
	if e.sig != procinspect.SIGTERM && e.sig != procinspect.SIGINT {
		return Prediction{}, false
	}
	return withExit(e.out(Yes, Handled, "%s is the Kubernetes pause process: its %s handler calls exit(0)", e.who, e.name), 0), true
}

func nodeHandle(e *eval) (Prediction, bool) {
	if e.sig != procinspect.SIGTERM && e.sig != procinspect.SIGINT && e.sig != procinspect.SIGHUP {
		return Prediction{}, false
	}
	then := "re-raises it with the default action and dies of it"
	if e.isInit {
		then = "re-raises it with the default action, which the kernel drops at an init, so it keeps running (the handler is one-shot: later ones are dropped at send time)"
	}
	return e.out(Depends, Handled, "%s is Node.js: unless the application handles %s itself (process.on), Node's default handler %s", e.who, e.name, then), true
}

func pythonHandle(e *eval) (Prediction, bool) {
	if e.sig != procinspect.SIGINT {
		return Prediction{}, false
	}
	return withExit(e.out(Depends, Handled, "%s is Python: SIGINT raises KeyboardInterrupt, and unless the program catches it, it exits with status 130", e.who), 130), true
}

func javaHandle(e *eval) (Prediction, bool) {
	switch e.sig {
	case procinspect.SIGTERM, procinspect.SIGINT, procinspect.SIGHUP:
		// java.lang.Terminator: Shutdown.exit(128+N). exit() is not a
		// re-raise, so an init ends the same way.
		code := 128 + int(e.sig)
		return withExit(e.out(Yes, Handled, "%s is a JVM: its %s handler runs the shutdown hooks, then the JVM exits %d (a hook that hangs delays that, until the runtime's SIGKILL)", e.who, e.name, code), code), true
	case procinspect.SIGQUIT:
		return e.out(No, Handled, "%s is a JVM: its SIGQUIT handler prints a thread dump to standard output and it keeps running", e.who), true
	}
	return Prediction{}, false
}

// javaNote says that a JVM without its handler for a shutdown signal runs
// no shutdown hooks.
func javaNote(e *eval, _ Prediction) string {
	if e.h == hCaught || (e.sig != procinspect.SIGTERM && e.sig != procinspect.SIGINT && e.sig != procinspect.SIGHUP) {
		return ""
	}
	why := "-Xrs or -XX:+ReduceSignalUsage, perhaps in JAVA_TOOL_OPTIONS, which sigview does not read"
	switch {
	case e.h == hIgnore:
		why = "a shutdown signal ignored when the JVM started stays ignored"
	case javaRsFlag(e.p.Cmdline) != "":
		why = "its command line has " + javaRsFlag(e.p.Cmdline)
	}
	return fmt.Sprintf("; it is a JVM without its %s handler (%s), so no shutdown hooks run", e.name, why)
}

// bgIgnored are the signals a non-interactive shell ignores in `cmd &`.
var bgIgnored = procinspect.SigSet(0).With(procinspect.SIGINT).With(procinspect.SIGQUIT)

// shellTrap predicts a trapped signal at a shell waiting for a child. POSIX
// shells run a trap only after a foreground command completes, but the
// wait builtin returns at once. What tells the two apart differs by shell
// (docs/kernel-signals.md §8.2): dash and busybox ash wait for a foreground
// command in wait4 and in the wait builtin in rt_sigsuspend; bash uses
// wait4 for both, and only the background job's SIGINT and SIGQUIT, which
// a non-interactive shell ignores in `cmd &`, tell them apart, unless the
// shell ignores both itself (inherited), and then nothing does.
func (e *eval) shellTrap() (Prediction, bool) {
	kids := liveChildren(e.p)
	if len(kids) == 0 {
		return Prediction{}, false
	}
	c := kids[0]
	cname := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(c.Name()), nsPIDText(c))
	sh := procinspect.Shell(e.p)
	waitBuiltin := func(how string) (Prediction, bool) {
		return e.out(Depends, Handled, "%s has a %s trap and waits for its background job %s with the wait builtin (%s), which the trap interrupts: the trap runs at once and decides", e.who, e.name, cname, how), true
	}
	deferred := func(how string) (Prediction, bool) {
		if e.sig == procinspect.SIGINT {
			// A shell catches SIGINT itself while it waits: a trap looks the same.
			return e.out(Depends, Deferred, "%s catches SIGINT while it waits for its foreground command %s (%s): nothing happens until that command exits; then a SIGINT trap, if there is one, runs, and without one the shell acts on SIGINT only if the command also died of it (sent to the shell alone, it did not)", e.who, cname, how), true
		}
		return e.out(Depends, Deferred, "%s has a %s trap but waits for its foreground command %s (%s): a shell runs the trap only after that command exits, which may be long after a stop's grace period", e.who, e.name, cname, how), true
	}
	dashLike := sh == "dash" || sh == "ash"
	switch {
	case dashLike && procinspect.IsSigsuspendSyscall(e.leader.Syscall):
		return waitBuiltin(sh + " sleeps in rt_sigsuspend there")
	case !e.waitingForChild():
		return Prediction{}, false
	case dashLike:
		return deferred(sh + " sleeps in wait4 for a foreground command, in rt_sigsuspend for the wait builtin")
	}
	ownIgn := e.p.Status.SigIgn.Set
	switch {
	case ownIgn&bgIgnored == bgIgnored:
		return e.out(Depends, Handled, "%s has a %s trap and sleeps in wait4 for %s: if that is the wait builtin (`cmd & wait`), the trap runs at once and decides; if it is a foreground command, the trap runs only after that command exits, which may be long after a stop's grace period. Nothing in /proc tells the two apart here: %s waits in wait4 for both, and it ignores SIGINT and SIGQUIT itself (inherited), so a background job's ignored SIGINT and SIGQUIT prove nothing", e.who, e.name, cname, shellName(sh)), true
	case c.Status.SigIgn.Known && c.Status.SigIgn.Set&bgIgnored == bgIgnored:
		return waitBuiltin("its job ignores SIGINT and SIGQUIT, as a non-interactive shell starts `cmd &`, and the shell does not")
	}
	return deferred("it does not ignore SIGINT and SIGQUIT, as a background job would")
}

func shellName(sh string) string {
	if sh == "" || sh == "sh" {
		return "the shell"
	}
	return sh
}

// waitingForChild reports whether the main thread sleeps in wait4/waitid.
func (e *eval) waitingForChild() bool {
	t := e.leader
	return procinspect.IsWaitSyscall(t.Syscall) || strings.HasPrefix(t.Wchan, "do_wait")
}

// inheritedIgnore explains SIGINT/SIGQUIT ignored since the process started.
func (e *eval) inheritedIgnore() string {
	if (e.sig == procinspect.SIGINT || e.sig == procinspect.SIGQUIT) && e.p.Status.SigIgn.Set&bgIgnored == bgIgnored && e.program != procinspect.ProgShell {
		return " (likely since it started: a non-interactive shell starts `cmd &` with SIGINT and SIGQUIT ignored, and SIG_IGN survives exec)"
	}
	return ""
}
