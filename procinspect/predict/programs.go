package predict

import "github.com/sigview/sigview/procinspect"

// behaviour is what sigview knows a recognised program does with a signal
// (docs/kernel-signals.md §8): what its handlers do, what its missing
// handler means, and how to make a stop end it. Recognising the program is
// a fact (procinspect.Programs); a program with no row here gets the
// generic rules.
type behaviour struct {
	// Handle predicts a signal delivered to the program's handler when
	// that handler is known; ok is false when the generic "its own code
	// decides" applies.
	Handle func(e *eval) (pr Prediction, ok bool)
	// Consume predicts a signal the program reads itself, in sigtimedwait
	// or from a signalfd (how says which); ok is false when the generic
	// "its own code decides" applies. A forwarder without Consume forwards.
	Consume func(e *eval, how string) (pr Prediction, ok bool)
	// Note is what the program's missing handler adds to a prediction made
	// by the generic rules; "" when nothing.
	Note func(e *eval, pr Prediction) string
	// Hint says how to make SIGTERM from the host end the program as a
	// namespace init, given that prediction; "" leaves it to the hints by
	// outcome (fixHint).
	Hint func(p *procinspect.Process, pr Prediction) string
}

// behaviours is everything sigview knows about what particular programs
// do. It is filled in init because a forwarder's rule predicts its child,
// and predicting reads the table.
var behaviours map[procinspect.Program]behaviour

func init() {
	behaviours = map[procinspect.Program]behaviour{
		// tini and catatonit wait in sigtimedwait or read a signalfd: the
		// delivery step finds them and forwards (forward).
		// dumb-init installs a dummy handler for everything (so an init
		// does not drop it) and blocks it all, reading with sigwait.
		procinspect.ProgDumbInit: {Handle: func(e *eval) (Prediction, bool) { return e.forward("catches " + e.name), true }, Hint: dumbInitHint},
		procinspect.ProgPause:    {Handle: pauseHandle},
		procinspect.ProgNode: {Handle: nodeHandle, Hint: func(*procinspect.Process, Prediction) string {
			return "handle SIGTERM in the application (process.on('SIGTERM', …)), or run with --init (tini)"
		}},
		procinspect.ProgPython: {Handle: pythonHandle, Hint: pythonHint},
		procinspect.ProgShell:  {Handle: func(e *eval) (Prediction, bool) { return e.shellTrap() }, Hint: shellHint},
		procinspect.ProgJava:   {Handle: javaHandle, Note: javaNote, Hint: javaHint},
		// A Go program: the runtime's handlers (goHandled).
		procinspect.ProgGo: {Handle: func(e *eval) (Prediction, bool) { return e.goHandled() }},
		// busybox init blocks the signals it acts on and reads them in
		// sigtimedwait (init/init.c: check_delayed_sigs).
		procinspect.ProgBusyboxInit: {Consume: func(e *eval, _ string) (Prediction, bool) { return busyboxInit(e) }},
		// Supervisors (supervisors.go): s6-svscan reads a signalfd,
		// runsvdir and supervisord catch, systemd reads a signalfd.
		procinspect.ProgS6Svscan:    {Consume: s6Svscan},
		procinspect.ProgRunsvdir:    {Handle: runsvdir},
		procinspect.ProgSupervisord: {Handle: supervisord},
		procinspect.ProgSystemd:     {Handle: systemd, Consume: func(e *eval, _ string) (Prediction, bool) { return systemd(e) }},
	}
}

// behavioursOf returns the behaviours of p's programs, in the order their
// rules are tried (procinspect.Programs).
func behavioursOf(p *procinspect.Process) []behaviour {
	var out []behaviour
	for _, pg := range procinspect.Programs(p) {
		if b, ok := behaviours[pg]; ok {
			out = append(out, b)
		}
	}
	return out
}

// knownHandler predicts a caught signal for the programs whose handler is
// known; ok is false when the generic "its code decides" applies.
func (e *eval) knownHandler() (Prediction, bool) {
	for _, b := range e.rows {
		if b.Handle != nil {
			if pr, ok := b.Handle(e); ok {
				return pr, true
			}
		}
	}
	return Prediction{}, false
}

// consumed predicts a signal the program reads itself (in sigtimedwait or
// from a signalfd, as how says): what a known program does with it, a
// forwarder's forwarding, or the program's own code.
func (e *eval) consumed(how, generic string) Prediction {
	for _, b := range e.rows {
		if b.Consume != nil {
			if pr, ok := b.Consume(e, how); ok {
				return pr
			}
		}
	}
	if e.program.Forwarder() {
		return e.forward(how)
	}
	return e.out(Depends, Consumed, "%s", generic)
}

// programNote is what a known program's missing handler adds to a
// prediction made by the generic rules.
func (e *eval) programNote(pr Prediction) string {
	var note string
	for _, b := range e.rows {
		if b.Note != nil {
			note += b.Note(e, pr)
		}
	}
	return note
}

// programHint is the first hint a behaviour of p's programs gives, or "".
func programHint(p *procinspect.Process, pr Prediction) string {
	for _, b := range behavioursOf(p) {
		if b.Hint != nil {
			if h := b.Hint(p, pr); h != "" {
				return h
			}
		}
	}
	return ""
}
