package predict

// systemd as a container's init (systemd 252 from Debian, measured as PID 1
// of a private podman container run with --systemd=always, a unit set of
// its own: default.target wanting one sleep service, and Debian's halt,
// poweroff, reboot and exit targets and services). It blocks the signals
// it acts on and reads them from a signalfd (src/core/manager.c:
// manager_dispatch_signal_fd); its crash handler catches QUIT, ILL, ABRT,
// BUS, FPE and SEGV (src/core/main.c: install_crash_handler). systemd(1),
// "Signals", documents what each does.

import (
	"fmt"

	"github.com/sigview/sigview/procinspect"
)

// The real-time signals systemd acts on, numbered as glibc (SIGRTMIN = 34)
// and the engines number them: sigRTMin3 is SIGRTMIN+3.
const (
	sigRTMin3 Signal = 37 // halt.target
	sigRTMin4 Signal = 38 // poweroff.target
	sigRTMin5 Signal = 39 // reboot.target
)

// maxSystemdUnits bounds the processes followed through a systemd shutdown.
const maxSystemdUnits = 256

// systemd predicts a signal systemd reads or catches.
func systemd(e *eval) (Prediction, bool) {
	sd := e.p.SystemdInit
	lead := "systemd"
	if e.who != "systemd" {
		lead = e.who + " is systemd"
	}
	switch e.sig {
	case procinspect.SIGTERM:
		return e.out(No, Handled, "%s: SIGTERM makes it serialize its state and re-execute itself (daemon-reexec, systemd(1)), and it keeps running", lead), true
	case procinspect.SIGHUP:
		return e.out(No, Handled, "%s: SIGHUP makes it reload its configuration (daemon-reload, systemd(1)), and it keeps running", lead), true
	case procinspect.SIGINT:
		if sd == nil || !sd.Container.Known || !sd.Container.V {
			return e.out(Depends, Handled, "%s: SIGINT starts ctrl-alt-del.target (systemd(1)), whatever the system links it to (a reboot as shipped)", lead), true
		}
		// The unit files are not read: what ctrl-alt-del.target is decides.
		return e.out(Depends, Handled, "%s: SIGINT starts ctrl-alt-del.target (systemd(1)), which its unit files decide and sigview does not read: as systemd ships it, a link to reboot.target, it stops every unit and then exits %s; masked or missing, it keeps running",
			lead, rebootEnd(sd, procinspect.SIGHUP)), true
	case procinspect.SIGQUIT:
		return systemdCrash(e, sd, lead), true
	case sigRTMin3, sigRTMin4, sigRTMin5:
		target, sig := "halt.target", procinspect.SIGINT
		switch e.sig {
		case sigRTMin4:
			target = "poweroff.target"
		case sigRTMin5:
			target, sig = "reboot.target", procinspect.SIGHUP
		}
		return systemdShutdown(e, sd, fmt.Sprintf("%s: %s starts %s (systemd(1))", lead, e.name, target), sig), true
	}
	return Prediction{}, false
}

// rebootEnd says how systemd's shutdown ends in a container: reboot(2)
// refused, it exits 0; allowed, the kernel kills it as if by sig.
func rebootEnd(sd *procinspect.SystemdInit, sig Signal) string {
	switch {
	case !sd.Boot.Known:
		return fmt.Sprintf("0, or dies as if by %s (status %d) if reboot(2) is allowed: %s", sig, 128+int(sig), sd.BootWhy)
	case sd.Boot.V:
		return fmt.Sprintf("as if killed by %s (status %d): %s", sig, 128+int(sig), sd.BootWhy)
	}
	return "0: " + sd.BootWhy
}

// systemdShutdown predicts halt.target, poweroff.target and reboot.target
// in a container: every unit is stopped (its processes get SIGTERM, and
// SIGKILL after the unit's TimeoutStopSec=, 90 s by default), then
// systemd-shutdown replaces systemd as PID 1, signals what is left and calls
// reboot(2) (src/shutdown/shutdown.c): refused for want of CAP_SYS_BOOT, it
// exits 0; allowed, the kernel kills it as if by SIGINT (halt, power off)
// or SIGHUP (reboot). Measured: exit 0 in about 0.2 s without CAP_SYS_BOOT,
// 130 or 129 with it.
func systemdShutdown(e *eval, sd *procinspect.SystemdInit, lead string, sig Signal) Prediction {
	if sd == nil {
		return e.out(Depends, Handled, "%s: whether it runs in a container, and so how it ends, was not read", lead)
	}
	if !sd.Container.Known {
		return e.out(Depends, Handled, "%s: whether it believes it runs in a container decides how its shutdown ends (in one it stops every unit and exits; outside one it shuts down as a machine would); %s", lead, sd.ContainerWhy)
	}
	if !sd.Container.V {
		return systemdNoContainer(e, sd, lead, sig)
	}
	steps := "it stops every unit (SIGTERM to each unit's processes, SIGKILL after the unit's TimeoutStopSec=, 90 s by default; ExecStop= commands, not read, are assumed to end), then systemd-shutdown takes its place, signals what is left and calls reboot(2)"
	if slow := systemdSlowUnit(e, sd); slow != "" {
		return e.out(Depends, Handled, "%s: %s; %s: %s", lead, sd.ContainerWhy, steps, slow)
	}
	pr := e.out(Yes, Handled, "%s: %s; %s, and every process of its units ends on SIGTERM; it exits %s", lead, sd.ContainerWhy, steps, rebootEnd(sd, sig))
	switch {
	case !sd.Boot.Known:
		return pr
	case sd.Boot.V:
		return withExit(pr, 128+int(sig))
	}
	return withExit(pr, 0)
}

// systemdCrash predicts SIGQUIT: systemd's crash handler (src/core/main.c:
// crash) forks a child to dump core, then in a container exits 255
// (EXIT_EXCEPTION) and elsewhere freezes (freeze_or_exit_or_reboot).
// Measured: 255 at once, from inside and from the host.
func systemdCrash(e *eval, sd *procinspect.SystemdInit, lead string) Prediction {
	const crash = "SIGQUIT is one of the signals its crash handler catches: it forks a child that dumps core (by the machine's core_pattern)"
	switch {
	case sd == nil:
		return e.out(Depends, Handled, "%s: %s, then exits 255 in a container and freezes elsewhere; whether it runs in a container was not read", lead, crash)
	case !sd.Container.Known:
		return e.out(Depends, Handled, "%s: %s, then exits 255 in a container and freezes elsewhere; %s", lead, crash, sd.ContainerWhy)
	case sd.Container.V:
		return withExit(e.out(Yes, Handled, "%s: %s; %s, so it then exits 255 (EXIT_EXCEPTION; assumed: CrashShell= is off, as by default, else it first waits for that shell)", lead, crash, sd.ContainerWhy), 255)
	}
	return e.out(No, Handled, "%s: %s; %s, so it then freezes: it never exits, and only SIGKILL from outside its namespace ends it", lead, crash, sd.ContainerWhy)
}

// systemdNoContainer predicts a shutdown target for a systemd that
// believes it runs on no container (`container` set empty). On the host it
// halts, powers off or reboots the machine. In any other PID namespace its
// reboot(2) never reaches the machine (reboot_pid_ns): allowed, the kernel
// kills it as if by sig; refused for want of CAP_SYS_BOOT, systemd-shutdown,
// not expecting that outside a container, logs "Critical error" and
// freezes (src/shutdown/shutdown.c), so only SIGKILL from outside ends it.
func systemdNoContainer(e *eval, sd *procinspect.SystemdInit, lead string, sig Signal) Prediction {
	if !e.p.InitialNS.Known || e.p.InitialNS.V {
		return e.out(Depends, Handled, "%s: %s, so on the host it halts, powers off or reboots the machine (and whether this is the host's PID namespace is not known for certain)", lead, sd.ContainerWhy)
	}
	steps := "it stops every unit, then systemd-shutdown takes its place, does a machine's shutdown steps (unmounting, detaching devices: assumed to end) and calls reboot(2), which from a PID namespace that is not the host's ends only that namespace (reboot_pid_ns)"
	switch {
	case !sd.Boot.Known:
		return e.out(Depends, Handled, "%s: %s; %s: allowed, the kernel kills it as if by %s (status %d); refused, it freezes and never exits: %s", lead, sd.ContainerWhy, steps, sig, 128+int(sig), sd.BootWhy)
	case !sd.Boot.V:
		return e.out(No, Handled, "%s: %s; %s: %s, and systemd-shutdown, not expecting that outside a container, logs a critical error and freezes: it never exits, and only SIGKILL from outside its namespace ends it (an engine's stop ends 137 at its timeout)", lead, sd.ContainerWhy, steps, sd.BootWhy)
	}
	if slow := systemdSlowUnit(e, sd); slow != "" {
		return e.out(Depends, Handled, "%s: %s; %s: %s", lead, sd.ContainerWhy, steps, slow)
	}
	return withExit(e.out(Yes, Handled, "%s: %s; %s, and every process of its units ends on SIGTERM; the kernel kills it as if by %s (status %d): %s", lead, sd.ContainerWhy, steps, sig, 128+int(sig), sd.BootWhy), 128+int(sig))
}

// systemdSlowUnit says why the units' stop may take a unit's
// TimeoutStopSec=: a process below systemd that would not end on SIGTERM,
// which a unit's stop sends every process of the unit, or processes below
// it that were not read; "" when every one would end.
func systemdSlowUnit(e *eval, sd *procinspect.SystemdInit) string {
	const held = "holds the shutdown until that unit's TimeoutStopSec= (90 s by default, longer than an engine's grace period)"
	if !sd.Tree {
		why := sd.TreeWhy
		if why == "" {
			why = "they were not linked"
		}
		return fmt.Sprintf("a unit's stop signals every process of the unit, and the processes below systemd's children were not all read (%s): one that does not end on SIGTERM %s", why, held)
	}
	seen := 0
	var walk func(p *process, depth int) string
	walk = func(p *process, depth int) string {
		for _, c := range liveChildren(p) {
			if seen++; seen > maxSystemdUnits || depth > 8 {
				return fmt.Sprintf("more than %d processes (or a tree deeper than 8) run under it, and they were not all followed: one that does not end on SIGTERM %s", maxSystemdUnits, held)
			}
			if pr := Predict(c, procinspect.SIGTERM, Inside, e.k); pr.Verdict != Yes {
				return fmt.Sprintf("%s (PID %s inside) does not end on SIGTERM (%s: %s) and %s", procinspect.Printable(c.Name()), nsPIDText(c), pr.Verdict, pr.Reason, held)
			}
			if s := walk(c, depth+1); s != "" {
				return s
			}
		}
		return ""
	}
	return walk(e.p, 0)
}
