package predict

// What supervisors run as a container's init do with a signal
// (docs/kernel-signals.md §8.2): s6-svscan, runit's runsvdir and
// supervisord; systemd is in systemd.go.

import (
	"fmt"

	"github.com/sigview/sigview/procinspect"
)

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
	// supervisord makes each process it starts lead a process group of
	// its own (process.py: _spawn_as_child, setpgrp); a child that does
	// not is a process it adopted as PID 1, which it never signals.
	var kids, adopted []*process
	for _, c := range liveChildren(e.p) {
		if g := c.Status.NSPgid(); g != 0 && g != c.Status.NSPID() {
			adopted = append(adopted, c)
			continue
		}
		kids = append(kids, c)
	}
	for _, c := range adopted {
		lead += fmt.Sprintf("; %s (PID %s inside) is not one it started (it is in process group %d, and supervisord makes each program lead its own): a process it adopted as PID 1, which it never signals, killed by the kernel when supervisord exits",
			procinspect.Printable(c.Name()), nsPIDText(c), c.Status.NSPgid())
	}
	for _, c := range kids {
		sig, wait, from := procinspect.SIGTERM, 10, supervisordAssumed(conf)
		pg, assumed, ok := conf.ProgramFor(c.Cmdline, len(kids))
		if ok {
			sig, wait = pg.StopSignal, pg.StopWaitSecs
			from = fmt.Sprintf("%s%s in %s: stopsignal %s%s, stopwaitsecs %d%s%s", pg.Section(), numprocs(pg), supervisordFile(conf, pg),
				sig, givenOr(pg.StopSignalSet), wait, givenOr(pg.StopWaitSecsSet), asGroup(pg))
			if assumed {
				from = "assumed its only section, whose command as expanded is not this process's: " + from
			}
		}
		cname := fmt.Sprintf("%s (PID %s inside)", procinspect.Printable(c.Name()), nsPIDText(c))
		cp := Predict(c, sig, Inside, e.k)
		if ok && pg.AsGroupUnknown != "" {
			return e.out(Depends, Handled, "%s once they have ended; %s gets %s (%s), to it alone or to its process group, which is unknown: %s", lead, cname, sig, from, pg.AsGroupUnknown), true
		}
		if ok && pg.StopAsGroup {
			// Every process of its process group gets the stop signal: a
			// shell's trap no longer waits for its foreground command.
			cname = "the process group of " + cname
			cp = e.groupDeferred(c, sig, cp)
		}
		kill := "SIGKILLs it"
		if ok && pg.KillAsGroup {
			kill = "SIGKILLs its process group"
		}
		if cp.Verdict != Yes {
			return e.out(Depends, Handled, "%s once they have ended; %s gets %s (%s) and may not end of it (%s): supervisord then waits %d s and %s, which a grace period of %d s or less does not cover", lead, cname, sig, from, cp.Reason, wait, kill, wait), true
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

// asGroup names stopasgroup and killasgroup when set.
func asGroup(pg procinspect.SupervisordProgram) string {
	switch {
	case pg.StopAsGroup:
		return ", stopasgroup (so killasgroup too): to its process group"
	case pg.KillAsGroup:
		return ", killasgroup: its SIGKILL to its process group"
	}
	return ""
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
