package predict

// busybox init (init/init.c, busybox 1.35–1.37; measured as PID 1 of a PID
// namespace in a private mount namespace and root): it blocks HUP, INT,
// QUIT, USR1, USR2, TERM, PWR and CHLD and reads them in sigtimedwait.

import (
	"fmt"
	"strings"

	"github.com/sigview/sigview/procinspect"
)

// SIGUSR1, SIGUSR2 and SIGPWR by number.
const (
	sigUSR1 Signal = 10
	sigUSR2 Signal = 12
	sigPWR  Signal = 30
)

// busyboxInit predicts a signal busybox init reads.
func busyboxInit(e *eval) (Prediction, bool) {
	bb := e.p.BusyboxInit
	lead := e.who + " is busybox init"
	switch e.sig {
	case procinspect.SIGTERM:
		return busyboxHalt(e, bb, lead+": SIGTERM asks it to reboot", procinspect.SIGHUP), true
	case sigUSR1, sigPWR:
		return busyboxHalt(e, bb, lead+": "+e.name+" asks it to halt", procinspect.SIGINT), true
	case sigUSR2:
		return busyboxHalt(e, bb, lead+": SIGUSR2 asks it to power off", procinspect.SIGINT), true
	case procinspect.SIGHUP:
		return e.out(No, Handled, "%s: SIGHUP makes it reread /etc/inittab (ending the respawned processes whose lines are gone), and it keeps running", lead), true
	case procinspect.SIGINT:
		cmds, from, ok := inittabActions(bb, "ctrlaltdel")
		switch {
		case !ok:
			return e.out(Depends, Handled, "%s: SIGINT runs its ctrlaltdel actions and waits for them; %s", lead, from), true
		case len(cmds) == 0:
			return e.out(No, Handled, "%s: SIGINT runs its ctrlaltdel actions, and %s has none, so it keeps running", lead, from), true
		}
		return e.out(Depends, Handled, "%s: SIGINT runs the ctrlaltdel action(s) of %s (%s) and waits for them, then keeps running unless one of them ends it (`reboot` sends it SIGTERM, a reboot)", lead, from, commands(cmds)), true
	case procinspect.SIGQUIT:
		cmds, from, ok := inittabActions(bb, "restart")
		switch {
		case !ok:
			return e.out(Depends, Handled, "%s: SIGQUIT makes it exec its restart action after its shutdown actions and ending every other process, and does nothing without one; %s", lead, from), true
		case len(cmds) == 0:
			return e.out(No, Handled, "%s: SIGQUIT makes it exec its restart action, and %s has none, so it does nothing and keeps running", lead, from), true
		}
		return e.out(Depends, Handled, "%s: SIGQUIT makes it run its shutdown actions, send SIGTERM and then SIGKILL to every other process, and exec the restart action of %s (%s), which replaces it as PID 1 and decides what happens next", lead, from, commands(cmds[:1])), true
	}
	return Prediction{}, false
}

// busyboxHalt predicts busybox init's reboot, halt and power off
// (halt_reboot_pwoff): its shutdown actions, which it waits for; SIGTERM to
// every other process, a second later SIGKILL; a second later reboot(2),
// which from a PID namespace's init, with CAP_SYS_BOOT, makes the kernel
// kill that init and report it dead of sig (SIGHUP for a reboot, SIGINT
// for a halt or power off: reboot_pid_ns); without it reboot(2) fails and
// init exits 0 a second later.
func busyboxHalt(e *eval, bb *procinspect.BusyboxInit, lead string, sig Signal) Prediction {
	cmds, from, known := inittabActions(bb, "shutdown")
	steps := "it sends SIGTERM to every other process of its namespace, a second later SIGKILL, and a second later calls reboot(2)"
	verdict := Yes
	switch {
	case !known:
		verdict = Depends
		steps = "it first runs its shutdown actions and waits for each without a limit (" + from + "); then " + steps
	case len(cmds) > 0 && !bb.Absent:
		verdict = Depends
		steps = fmt.Sprintf("it first runs the shutdown action(s) of %s (%s) and waits for each without a limit: one that never ends holds it there; then %s", from, commands(cmds), steps)
	case len(cmds) > 0:
		steps = fmt.Sprintf("it runs its built-in shutdown actions (%s: there is no /etc/inittab), then %s", commands(cmds), steps)
	default:
		steps = fmt.Sprintf("%s has no shutdown actions, so %s", from, steps)
	}
	code := 128 + int(sig)
	switch {
	case bb == nil:
		return e.out(verdict, Handled, "%s: %s, which ends it either way: the kernel kills it as if by %s (status %d) if it has CAP_SYS_BOOT in the user namespace that owns its PID namespace, else reboot(2) fails and it exits 0 a second later (its capabilities were not read)", lead, steps, sig, code)
	case !bb.Boot.Known:
		return e.out(verdict, Handled, "%s: %s, which ends it either way: the kernel kills it as if by %s (status %d) when reboot(2) is allowed, else it exits 0 a second later; which is unknown: %s", lead, steps, sig, code, bb.BootWhy)
	case bb.Boot.V:
		return takes(withExit(e.out(verdict, Handled, "%s: %s: %s, so the kernel kills it and its parent sees a death by %s (status %d), about 2 s after the signal", lead, steps, bb.BootWhy, sig, code), code), 2)
	}
	return takes(withExit(e.out(verdict, Handled, "%s: %s: %s, and it exits 0 about 3 s after the signal", lead, steps, bb.BootWhy), 0), 3)
}

// takes is pr with the seconds busybox init's own steps take (measured:
// 2.1–2.2 s with CAP_SYS_BOOT, 3.1–3.3 s without), when it ends by them
// alone (no shutdown actions to wait for).
func takes(pr Prediction, secs int) Prediction {
	if pr.Verdict == Yes {
		pr.Takes = procinspect.KnownInt(secs)
	}
	return pr
}

// inittabActions returns busybox init's commands for action, where they
// come from, and whether they are known.
func inittabActions(bb *procinspect.BusyboxInit, action string) (cmds []string, from string, ok bool) {
	switch {
	case bb == nil:
		return nil, "its /etc/inittab was not read", false
	case bb.Single:
		return nil, "single-user mode (it reads no /etc/inittab)", true
	case bb.Err != "":
		return nil, "what they are is unknown: " + bb.Err, false
	case bb.Absent:
		return bb.Actions[action], "its built-in actions (there is no /etc/inittab)", true
	}
	return bb.Actions[action], "its /etc/inittab", true
}

// commands lists inittab commands for a reason, escaped.
func commands(cmds []string) string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = "`" + procinspect.Printable(c) + "`"
	}
	return strings.Join(out, ", ")
}
