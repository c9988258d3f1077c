package predict

// s6-svscan as a container's init, and the s6-supervise processes it
// runs (docs/kernel-signals.md §8.2; s6 2.11 s6-svscan.c, s6-supervise.c).

import (
	"fmt"
	"strings"

	"github.com/sigview/sigview/procinspect"
)

// s6Svscan predicts a signal s6-svscan reads from its signalfd
// (s6-svscan(8), s6 2.11; measured as PID 1).
func s6Svscan(e *eval, how string) (Prediction, bool) {
	lead := fmt.Sprintf("%s is s6-svscan and %s", e.who, how)
	switch e.sig {
	case procinspect.SIGTERM, procinspect.SIGINT, procinspect.SIGQUIT, procinspect.SIGHUP,
		10, 12, 30, procinspect.SIGWINCH: // SIGUSR1, SIGUSR2, SIGPWR
	case 6: // SIGABRT
		return e.s6Finish(lead + ": SIGABRT makes it exec .s6-svscan/finish at once, without waiting for its services")
	default:
		return Prediction{}, false
	}
	script := ".s6-svscan/" + e.name
	switch f := e.p.S6.File(e.name); {
	case f == procinspect.S6Executable && e.p.S6.Scripts[e.name] != "":
		return e.s6Script(lead, script), true
	case f == procinspect.S6Executable:
		return e.out(Depends, Handled, "%s: it runs %s, an executable in its scan directory that replaces its default for %s, and that script decides", lead, script, e.name), true
	case strings.HasPrefix(f, "unknown"):
		return e.out(Depends, Handled, "%s: an executable %s would replace its default, and whether there is one is %s", lead, script, f), true
	}
	switch e.sig {
	case procinspect.SIGHUP:
		return e.out(No, Handled, "%s: without %s it rescans its scan directory (new services start, removed ones stop) and keeps running", lead, script), true
	case procinspect.SIGTERM, procinspect.SIGINT, procinspect.SIGQUIT:
		tree := "tells every s6-supervise to stop its service (SIGTERM and SIGCONT, or the service's down-signal) and exit, waits for the whole supervision tree to die"
		if e.sig == procinspect.SIGQUIT {
			tree = "does what SIGTERM does, but kills logging services too instead of letting them flush"
		}
		if kids := liveChildren(e.p); len(kids) > 0 {
			return e.s6Services(fmt.Sprintf("%s: without %s it %s", lead, script, tree), kids), true
		}
		return e.s6Finish(fmt.Sprintf("%s: without %s it %s (none is running)", lead, script, tree))
	}
	return e.out(No, Handled, "%s: without %s it does nothing with %s", lead, script, e.name), true
}

// s6Script predicts a .s6-svscan/SIG* script s6-linux-init-maker or
// s6-overlay wrote (procinspect.S6Script*, read from the script itself):
// an empty one does nothing; s6-linux-init-shutdown -h, -r or -p shuts the
// container down (s6-linux-init-shutdownd: rc.shutdown, which is
// s6-overlay's stage 3, then every process TERM and KILL), and s6-svscan
// then execs the container's .s6-svscan/finish, which exits with the
// exitcode file's code after -h, and reboots (-r) or powers off (-p)
// with s6-linux-init-hpr -f: reboot(2), which in a PID namespace ends its
// init by SIGHUP or SIGINT with CAP_SYS_BOOT, and fails without it
// (s6-linux-init-hpr exits 111). Not measured: s6-linux-init is not
// packaged here (s6-linux-init-maker.c make_image, sig_script,
// container_exit_script; s6-overlay's stage0 and skel/CMDSIG).
func (e *eval) s6Script(lead, script string) Prediction {
	kind := e.p.S6.Scripts[e.name]
	where := ""
	if e.p.S6.Overlay != "" {
		where = fmt.Sprintf(" (%s is in its root: s6-linux-init's container mode, as in s6-overlay)", e.p.S6.Overlay)
	}
	switch kind {
	case procinspect.S6ScriptEmpty:
		return e.out(No, Handled, "%s: it runs %s, which is empty (s6-linux-init-maker writes it so)%s: %s does nothing, and a stop by it waits for the runtime's SIGKILL", lead, script, where, e.name)
	case procinspect.S6ScriptCMD:
		return e.out(Depends, Handled, "%s: it runs %s, s6-overlay's script for S6_CMD_RECEIVE_SIGNALS%s: it sends %s to the CMD whose PID is in /run/s6/cmdpid, else runs %s.s6-linux-init (s6-linux-init's own script); what the CMD does with it decides", lead, script, where, e.name, script)
	}
	how := "exits with the code in /run/s6-linux-init-container-results/exitcode (0 unless the CMD or a script wrote another)"
	switch strings.TrimPrefix(kind, procinspect.S6ScriptShutdown) {
	case "r":
		how = "reboots: s6-linux-init-hpr -fr calls reboot(2), which ends the init of a PID namespace by SIGHUP when it has CAP_SYS_BOOT, and fails without it (exit 111)"
	case "p":
		how = "powers off: s6-linux-init-hpr -fp calls reboot(2), which ends the init of a PID namespace by SIGINT when it has CAP_SYS_BOOT, and fails without it (exit 111)"
	}
	return e.out(Depends, Handled, "%s: it runs %s, which is %s -- now (s6-linux-init's shutdown)%s: it runs rc.shutdown (in s6-overlay its stage 3: %s), sends every remaining process TERM then KILL, then s6-svscan execs .s6-svscan/finish, which %s; those scripts decide (not measured: s6-linux-init is not packaged here)", lead, script, kind, where, s6OverlayStage3, how)
}

// s6OverlayStage3 is s6-overlay's documented stage 3 (its README, "stage
// 3" and "Customizing s6-overlay behaviour"); not measured: s6-overlay is
// no Debian package, and its build fetches skarnet's sources and a musl
// toolchain, which cannot happen here or in CI.
const s6OverlayStage3 = "TERM to the services of /etc/services.d, up to S6_SERVICES_GRACETIME (3000 ms by default) for them, its s6-rc services brought down, each /etc/cont-finish.d script for up to S6_KILL_FINISH_MAXTIME (5000 ms), then S6_KILL_GRACETIME (3000 ms) between TERM and KILL"

// s6Services follows a stop through each s6-supervise child of s6-svscan
// to its service: s6-supervise sends the service its down-signal (and
// SIGCONT), SIGKILLs it after timeout-kill if it has one, else waits
// without a limit, runs its finish script, and exits (s6-supervise.c:
// up_term, up_d); s6-svscan waits for every s6-supervise (waitthem).
func (e *eval) s6Services(lead string, kids []*process) Prediction {
	verdict := Yes
	var parts []string
	for _, c := range kids {
		name := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(c.Name()), nsPIDText(c))
		v, what := s6Service(e, c, name, kids)
		parts = append(parts, what)
		switch {
		case v == No:
			verdict = No
		case v == Depends && verdict == Yes:
			verdict = Depends
		}
	}
	lead += "; " + strings.Join(parts, "; ")
	switch verdict {
	case No:
		return e.out(No, Handled, "%s: so s6-svscan keeps waiting, until the runtime's SIGKILL", lead)
	case Depends:
		return e.out(Depends, Handled, "%s", lead)
	}
	pr, _ := e.s6Finish(lead + "; every supervised process ends")
	return pr
}

// s6Service says what stopping one s6-svscan child does, and whether it
// ends (Yes), never ends (No), or depends. On SIGTERM and SIGINT s6-svscan
// sends a logger's s6-supervise SIGHUP instead (s6-svscan.c: killthem,
// wantkill 3): it signals nothing and waits for its logger (s6-supervise.c:
// up_x). On SIGQUIT every s6-supervise gets SIGTERM.
func s6Service(e *eval, c *process, name string, kids []*process) (Verdict, string) {
	svc := c.S6Service
	switch {
	case c.Status.Name != "s6-supervise":
		return Depends, name + " is no s6-supervise, and what it does is its own code"
	case svc == nil:
		return Depends, name + "'s service directory was not read"
	case svc.Err != "":
		return Depends, name + "'s service directory is unknown: " + svc.Err
	case svc.Special && e.sig != procinspect.SIGQUIT:
		return Depends, fmt.Sprintf("%s supervises s6-svscan's catch-all logger (s6-svscan-log): it gets SIGHUP and waits for the logger, whose input is s6-svscan's own output, shared by every service without a logger of its own, which sigview does not follow", name)
	}
	services := liveChildren(c)
	if svc.Log && e.sig != procinspect.SIGQUIT {
		return s6Logger(c, name, kids, services)
	}
	sig, from := svc.DownSignal, "its down-signal file"
	if !svc.DownSignalSet {
		from = "no down-signal file: the default"
	}
	lead := fmt.Sprintf("%s stops %s", name, procinspect.Printable(svc.Dir))
	if len(services) == 0 {
		return Yes, lead + ", which is not running, and exits"
	}
	svcName := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(services[0].Name()), nsPIDText(services[0]))
	lead = fmt.Sprintf("%s: %s gets %s (%s) and SIGCONT", lead, svcName, sig, from)
	if svc.Log && isS6Log(services[0]) {
		// A logger stopped by SIGQUIT: s6-log catches SIGTERM, SIGHUP,
		// SIGALRM and SIGCHLD (s6-log.c: its signalfd); it ends on SIGHUP,
		// on SIGTERM unless -p, and at the end of its input anyway. Any
		// other signal does what its disposition says, below.
		protect, bad := s6LogProtect(services[0].Cmdline)
		switch {
		case bad != "" && sig == procinspect.SIGTERM:
			return Depends, fmt.Sprintf("%s, which ends s6-log unless it runs with -p, and its options are unknown: %s", lead, bad)
		case sig == procinspect.SIGHUP || (sig == procinspect.SIGTERM && !protect):
			return s6Then(Yes, fmt.Sprintf("%s, on which s6-log logs its last line and exits (s6-log(8))", lead), svc)
		case sig == procinspect.SIGTERM || sig == 14 /* SIGALRM */ || sig == procinspect.SIGCHLD:
			why := "s6-log ignores SIGTERM with -p"
			if sig != procinspect.SIGTERM {
				why = "s6-log catches it and keeps running"
			}
			v, input := s6LogInput(c, kids)
			return s6Then(v, fmt.Sprintf("%s, which does not end s6-log (%s); %s", lead, why, input), svc)
		}
	}
	cp := Predict(services[0], sig, Inside, e.k)
	switch {
	case cp.Verdict == Yes:
		return s6Then(Yes, fmt.Sprintf("%s and ends of it (%s)", lead, cp.Reason), svc)
	case svc.TimeoutKill > 0:
		return s6Then(Yes, fmt.Sprintf("%s and may not end of it (%s): timeout-kill SIGKILLs it %d ms later", lead, cp.Reason, svc.TimeoutKill), svc)
	case cp.Verdict == No:
		return No, fmt.Sprintf("%s and does not end of it (%s); without a timeout-kill file s6-supervise waits for it without a limit", lead, cp.Reason)
	}
	return Depends, fmt.Sprintf("%s, and whether it ends is its own code (%s); without a timeout-kill file s6-supervise waits for it without a limit", lead, cp.Reason)
}

// s6Logger: the SIGHUP a logger's s6-supervise gets on SIGTERM or SIGINT
// signals nothing; it waits for its logger, which ends when its input
// does (s6-log: at the end of its input, s6-log(8)).
func s6Logger(c *process, name string, kids, services []*process) (Verdict, string) {
	svc := c.S6Service
	lead := fmt.Sprintf("%s supervises a logger (%s): it gets SIGHUP, sends its logger nothing and waits for it to end", name, procinspect.Printable(svc.Dir))
	if len(services) == 0 {
		return Yes, lead + "; none is running, so it exits"
	}
	logger := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(services[0].Name()), nsPIDText(services[0]))
	if !isS6Log(services[0]) {
		return Depends, fmt.Sprintf("%s; whether %s ends at the end of its input is its own code (s6-log does)", lead, logger)
	}
	v, why := s6LogInput(c, kids)
	return s6Then(v, fmt.Sprintf("%s; %s is s6-log, which exits at the end of its input (s6-log(8)): %s", lead, logger, why), svc)
}

// s6LogInput says whether a logger's input ends: the pipe's writers are
// the logged service, its s6-supervise and s6-svscan, which all close it
// as they stop; a child of the service may hold it open too.
func s6LogInput(c *process, kids []*process) (Verdict, string) {
	main := strings.TrimSuffix(strings.TrimRight(c.S6Service.Dir, "/"), "/log")
	for _, k := range kids {
		if k.S6Service == nil || k.S6Service.Err != "" || strings.TrimRight(k.S6Service.Dir, "/") != main {
			continue
		}
		for _, s := range liveChildren(k) {
			if n := len(liveChildren(s)); n > 0 {
				return Depends, fmt.Sprintf("its input ends once the logged service, its s6-supervise and s6-svscan have closed it, but the service %s (PID %s inside) has %d child process(es) that may hold it open", procinspect.Printable(s.Name()), nsPIDText(s), n)
			}
		}
		return Yes, "its input ends once the logged service (which has no child process), its s6-supervise and s6-svscan have closed it"
	}
	return Depends, fmt.Sprintf("its input ends once every process holding the pipe has closed it, and the s6-supervise of the logged service (%s) was not found among s6-svscan's children read, so what holds it is unknown", procinspect.Printable(main))
}

// s6Then adds what follows a service's end: its finish script, killed
// after timeout-finish (without a limit when that is 0), then s6-supervise
// exits (s6-supervise.c: uplastup_z, finishtimeout).
func s6Then(v Verdict, what string, svc *procinspect.S6Service) (Verdict, string) {
	if svc.Finish == procinspect.S6Absent || svc.Finish == procinspect.S6NotExecutable {
		return v, what
	}
	set := "its timeout-finish file"
	if !svc.TimeoutFinishSet {
		set = "no timeout-finish file: the default"
	}
	if svc.TimeoutFinish == 0 {
		if v == Yes {
			v = Depends
		}
		return v, fmt.Sprintf("%s, then runs its finish script (%s) without a time limit (timeout-finish 0), and whether that ends is its own code", what, svc.Finish)
	}
	return v, fmt.Sprintf("%s, then runs its finish script (%s), SIGKILLed after %d ms (%s)", what, svc.Finish, svc.TimeoutFinish, set)
}

// isS6Log reports s6's logger by its name.
func isS6Log(p *process) bool { return p.Status.Name == "s6-log" }

// s6LogProtect reads s6-log's options as its subgetopt does (s6-log.c,
// s6 2.11: "qvbpl:d:"): flags may be clustered (-bp), -l and -d take a
// value, in the same word or the next (-d3, -l 4096), and the options end
// at "--" or the first word that is not one. It says whether -p is among
// them; bad is why they cannot be read (an option s6-log does not have,
// or a value missing: it would have refused to start).
func s6LogProtect(argv []string) (protect bool, bad string) {
	args := argv[min(1, len(argv)):]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			return protect, ""
		}
		for j := 1; j < len(a); j++ {
			switch a[j] {
			case 'q', 'v', 'b':
			case 'p':
				protect = true
			case 'l', 'd':
				if j == len(a)-1 {
					if i++; i == len(args) {
						return protect, fmt.Sprintf("-%c has no value", a[j])
					}
				}
				j = len(a)
			default:
				return protect, fmt.Sprintf("-%s is no option of s6-log", procinspect.Printable(a[j:j+1]))
			}
		}
	}
	return protect, ""
}

// s6Finish ends a prediction at s6-svscan's exit: exec .s6-svscan/finish
// when it is executable (its code decides), else exit 0. A finish that is
// there but not executable fails to exec (EACCES), and s6-svscan then
// execs .s6-svscan/crash (s6-svscan.c: panicnosp), and when that fails
// too dies with 111 in s6 before 2.12.0.0, 127 (no crash) or 126 (one it
// cannot exec) since; which s6 runs is not read, so both are named.
func (e *eval) s6Finish(lead string) (Prediction, bool) {
	switch f := e.p.S6.File("finish"); {
	case f == procinspect.S6Executable:
		return e.out(Depends, Handled, "%s, then execs .s6-svscan/finish, whose code decides how it ends", lead), true
	case strings.HasPrefix(f, "unknown"):
		return e.out(Depends, Handled, "%s, then execs .s6-svscan/finish if it is executable (%s: its code decides) or exits 0", lead, f), true
	case f == procinspect.S6NotExecutable:
		lead += ", then fails to exec .s6-svscan/finish, which is not executable (EACCES)"
		c := e.p.S6.File("crash")
		switch {
		case c == procinspect.S6Executable:
			return e.out(Depends, Handled, "%s, and execs .s6-svscan/crash, whose code decides how it ends", lead), true
		case strings.HasPrefix(c, "unknown"):
			return e.out(Depends, Handled, "%s, and execs .s6-svscan/crash if it is executable (%s: its code decides) or exits (111 with s6 before 2.12, 127 or 126 since)", lead, c), true
		}
		code := "127 since, there being no crash"
		if c == procinspect.S6NotExecutable {
			code = "126 since, crash being there but not executable"
		}
		return e.out(Yes, Handled, "%s, and, with no executable .s6-svscan/crash to exec instead, exits: 111 with s6 before 2.12.0.0 (Debian's 2.11 measured), %s (s6-svscan.c: panicnosp; which s6 this is is not read)", lead, code), true
	}
	return withExit(e.out(Yes, Handled, "%s, then exits 0 (there is no executable .s6-svscan/finish)", lead), 0), true
}
