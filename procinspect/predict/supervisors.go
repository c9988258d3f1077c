package predict

// What supervisors run as a container's init do with a signal
// (docs/kernel-signals.md §8.2): s6-svscan, runit's runsvdir, supervisord,
// and systemd (documented only: it cannot run here as a container's init).

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
		v, what := s6Service(e, c, name)
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
// ends (Yes), never ends (No), or depends.
func s6Service(e *eval, c *process, name string) (Verdict, string) {
	svc := c.S6Service
	switch {
	case c.Status.Name != "s6-supervise":
		return Depends, name + " is no s6-supervise, and what it does is its own code"
	case svc == nil:
		return Depends, name + "'s service directory was not read"
	case svc.Err != "":
		return Depends, name + "'s service directory is unknown: " + svc.Err
	case svc.Log && e.sig != procinspect.SIGQUIT:
		return Depends, fmt.Sprintf("%s supervises a logger (%s): it gets SIGHUP and waits for the logger to see the end of its input, which sigview does not follow", name, procinspect.Printable(svc.Dir))
	}
	sig, from := svc.DownSignal, "its down-signal file"
	if !svc.DownSignalSet {
		from = "no down-signal file: the default"
	}
	services := liveChildren(c)
	lead := fmt.Sprintf("%s stops %s", name, procinspect.Printable(svc.Dir))
	if len(services) == 0 {
		return Yes, lead + ", which is not running, and exits"
	}
	svcName := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(services[0].Name()), nsPIDText(services[0]))
	cp := Predict(services[0], sig, Inside, e.k)
	lead = fmt.Sprintf("%s: %s gets %s (%s) and SIGCONT", lead, svcName, sig, from)
	finish := ""
	if svc.Finish != procinspect.S6Absent {
		finish = ", then runs its finish script (" + svc.Finish + ") for at most its timeout-finish (5 s by default)"
	}
	switch {
	case cp.Verdict == Yes:
		return Yes, fmt.Sprintf("%s and ends of it (%s)%s", lead, cp.Reason, finish)
	case svc.TimeoutKill > 0:
		return Yes, fmt.Sprintf("%s and may not end of it (%s): timeout-kill SIGKILLs it %d ms later%s", lead, cp.Reason, svc.TimeoutKill, finish)
	case cp.Verdict == No:
		return No, fmt.Sprintf("%s and does not end of it (%s); without a timeout-kill file s6-supervise waits for it without a limit", lead, cp.Reason)
	}
	return Depends, fmt.Sprintf("%s, and whether it ends is its own code (%s); without a timeout-kill file s6-supervise waits for it without a limit", lead, cp.Reason)
}

// s6Finish ends a prediction at s6-svscan's exit: exec .s6-svscan/finish
// when it is executable (its code decides), else exit 0.
func (e *eval) s6Finish(lead string) (Prediction, bool) {
	switch f := e.p.S6.File("finish"); {
	case f == procinspect.S6Executable:
		return e.out(Depends, Handled, "%s, then execs .s6-svscan/finish, whose code decides how it ends", lead), true
	case strings.HasPrefix(f, "unknown"):
		return e.out(Depends, Handled, "%s, then execs .s6-svscan/finish if it is executable (%s: its code decides) or exits 0", lead, f), true
	}
	return withExit(e.out(Yes, Handled, "%s, then exits 0 (there is no executable .s6-svscan/finish)", lead), 0), true
}

// runsvdirWhen: runsvdir's handler only sets a flag, which it reads after
// its poll returns; a signal that lands outside the poll waits for the next
// poll's timeout (runsvdir.c).
const runsvdirWhen = "at once if it is waiting in its poll, else when its next poll times out, within 5 s"

// runsvdir predicts a signal runit's runsvdir catches (runsvdir(8),
// runit 2.1.2; measured as PID 1): TERM and HUP; the rest are not caught.
func runsvdir(e *eval) (Prediction, bool) {
	switch e.sig {
	case procinspect.SIGTERM:
		then := "its runsv processes and their services get nothing from it"
		if e.isInit {
			then = "its runsv processes and their services get no SIGTERM: they die of the SIGKILL the kernel sends to a namespace when its init exits"
		}
		return withExit(e.out(Yes, Handled, "%s is runit's runsvdir: on SIGTERM it exits 0 (%s); %s", e.who, runsvdirWhen, then), 0), true
	case procinspect.SIGHUP:
		return withExit(e.out(Yes, Handled, "%s is runit's runsvdir: on SIGHUP it sends SIGTERM to each runsv it monitors and exits 111 (%s)", e.who, runsvdirWhen), 111), true
	}
	return Prediction{}, false
}

// supervisord predicts a signal supervisord catches (supervisor 4.2;
// measured as PID 1): TERM, INT and QUIT stop its programs, then it exits 0;
// HUP restarts it in place; USR2 reopens its logs.
func supervisord(e *eval) (Prediction, bool) {
	switch e.sig {
	case procinspect.SIGHUP:
		return e.out(No, Handled, "%s is supervisord: SIGHUP makes it stop its programs, reread its configuration and start them again; it keeps running", e.who), true
	case 12: // SIGUSR2
		return e.out(No, Handled, "%s is supervisord: SIGUSR2 makes it reopen its log files", e.who), true
	case procinspect.SIGTERM, procinspect.SIGINT, procinspect.SIGQUIT:
	default:
		return Prediction{}, false
	}
	conf := e.p.Supervisord
	lead := fmt.Sprintf("%s is supervisord: %s makes it stop every program it runs (each gets its stopsignal and, after its stopwaitsecs, SIGKILL) and exit 0", e.who, e.name)
	for _, c := range liveChildren(e.p) {
		sig, wait, from := procinspect.SIGTERM, 10, supervisordAssumed(conf)
		if pg, ok := conf.Program(c.Cmdline); ok {
			sig, wait = pg.StopSignal, pg.StopWaitSecs
			from = fmt.Sprintf("[program:%s]%s in %s: stopsignal %s%s, stopwaitsecs %d%s", procinspect.Printable(pg.Name), numprocs(pg), supervisordFile(conf, pg),
				sig, givenOr(pg.StopSignalSet), wait, givenOr(pg.StopWaitSecsSet))
		}
		cname := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(c.Name()), nsPIDText(c))
		cp := Predict(c, sig, Inside, e.k)
		if cp.Verdict != Yes {
			return e.out(Depends, Handled, "%s once they have ended; %s gets %s (%s) and may not end of it (%s): supervisord then waits %d s and SIGKILLs it, which a grace period of %d s or less does not cover", lead, cname, sig, from, cp.Reason, wait, wait), true
		}
		lead += fmt.Sprintf("; %s gets %s (%s) and ends of it", cname, sig, from)
	}
	return withExit(e.out(Yes, Handled, "%s; every program it runs ends on its stop signal, so it exits about a second later", lead), 0), true
}

// supervisordAssumed says why a program's stop signal is assumed SIGTERM.
func supervisordAssumed(c *procinspect.SupervisordConf) string {
	const lead = "assumed SIGTERM and 10 s, supervisord's defaults: "
	switch {
	case c == nil:
		return lead + "its configuration was not read"
	case c.Err != "":
		return lead + "its configuration is unknown: " + c.Err
	case c.IncludeErr != "":
		return lead + "a program may be defined in an included file sigview could not read: " + c.IncludeErr
	}
	return lead + "no [program:…] section of " + procinspect.Printable(c.Path) + supervisordIncluded(c) + " is plainly this process's"
}

// supervisordIncluded names the files [include] added, if any.
func supervisordIncluded(c *procinspect.SupervisordConf) string {
	if len(c.Included) == 0 {
		return ""
	}
	return fmt.Sprintf(" and the %d file(s) it includes", len(c.Included))
}

// supervisordFile names the file a section came from, and how
// supervisord found it.
func supervisordFile(c *procinspect.SupervisordConf, pg procinspect.SupervisordProgram) string {
	how := procinspect.Printable(c.Path) + ", " + c.Found
	if pg.File != c.Path {
		return procinspect.Printable(pg.File) + " (included by " + how + ")"
	}
	return how
}

// numprocs says how many processes a section runs, when more than one.
func numprocs(pg procinspect.SupervisordProgram) string {
	if pg.NumProcs == 1 {
		return ""
	}
	return fmt.Sprintf(" (numprocs %d)", pg.NumProcs)
}

func givenOr(set bool) string {
	if set {
		return ""
	}
	return " (its default)"
}

// systemd is documented, not measured: systemd cannot run here as a
// container's init without changing the host (systemd(1), "Signals").
func systemd(e *eval) (Prediction, bool) {
	const src = "systemd(1); not measured: systemd cannot run here as a container's init without touching the host"
	var what string
	switch e.sig {
	case procinspect.SIGTERM:
		what = "serializes its state and re-executes itself: documented to keep running"
	case procinspect.SIGINT:
		what = "starts ctrl-alt-del.target (a reboot, in a container usually the end of it)"
	case procinspect.SIGHUP:
		what = "reloads its configuration (daemon-reload): documented to keep running"
	case 37: // SIGRTMIN+3 (glibc's SIGRTMIN is 34)
		what = "starts halt.target: it stops every unit and exits; podman's and systemd images' stop signal"
	case 38, 39:
		what = "starts poweroff.target or reboot.target"
	default:
		return Prediction{}, false
	}
	return e.out(Depends, Handled, "%s is systemd: as a system manager, on %s it %s (%s)", e.who, e.name, what, src), true
}
