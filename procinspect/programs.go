package procinspect

import (
	"path/filepath"
	"slices"
	"strings"
)

// Program is what sigview recognises a process as, when its signal
// behaviour is known beyond what the masks show (docs/kernel-signals.md §8).
type Program string

// Recognised programs: the names of the rows of programs.
const (
	ProgUnknown   Program = ""
	ProgTini      Program = "tini" // also docker-init (docker run --init)
	ProgDumbInit  Program = "dumb-init"
	ProgCatatonit Program = "catatonit" // also podman-init (podman --init)
	ProgPause     Program = "pause"     // the Kubernetes pod sandbox
	ProgNode      Program = "node"
	ProgPython    Program = "python"
	ProgShell     Program = "shell" // sh, dash, bash, ash, busybox sh
	ProgJava      Program = "java"  // the JVM: java, or a launcher that loads libjvm
)

// programInfo is what sigview knows about one program: how to recognise
// it, whether it forwards signals, what its handlers do, and how to make a
// stop end it. To teach sigview a program, add a row to programs (and a
// test that runs the real program in a PID namespace).
type programInfo struct {
	// Program is the name reported ("recognised as", the JSON document's
	// "program"); ProgUnknown for a row that adds rules without a name.
	Program Program
	// Names are exact executable or command names; Prefixes match the
	// start of one ("python3" matches python3.12). A renamed binary stays
	// unknown and gets the generic rules.
	Names, Prefixes []string
	// Detect recognises the program from facts other than its name; nil
	// when only names count. Rows recognised by name come first.
	Detect func(p *Process) bool
	// Forwarder: it passes the signals it receives on to its child and
	// exits with the child's status (128+N for a death by signal N).
	Forwarder bool
	// Handle predicts a signal delivered to the program's handler when
	// that handler is known; it reports false when the generic "its own
	// code decides" applies.
	Handle func(e *eval, pr *Prediction) bool
	// Note adds to a prediction made by the generic rules what the
	// program's missing handler means; nil when nothing.
	Note func(e *eval, pr *Prediction)
	// Hint says how to make SIGTERM from the host end the program as a
	// namespace init, given that prediction; "" leaves it to the hints by
	// outcome (fixHint).
	Hint func(p *Process, pr Prediction) string
}

// programs is everything sigview knows about particular programs. It is
// filled in init because its rules predict (a forwarder predicts its
// child), and predicting reads the table.
var programs []programInfo

func init() { programs = knownPrograms() }

func knownPrograms() []programInfo {
	return []programInfo{
		{Program: ProgTini, Names: []string{"tini", "tini-static", "docker-init"}, Forwarder: true},
		{Program: ProgDumbInit, Names: []string{"dumb-init"}, Forwarder: true,
			// dumb-init installs a dummy handler for everything (so an init
			// does not drop it) and blocks it all, reading with sigwait.
			Handle: func(e *eval, pr *Prediction) bool { e.forward(pr, "catches "+e.name); return true }},
		{Program: ProgCatatonit, Names: []string{"catatonit", "podman-init"}, Forwarder: true},
		{Program: ProgPause, Names: []string{"pause"}, Handle: pauseHandle},
		{Program: ProgNode, Names: []string{"node", "nodejs"}, Handle: nodeHandle,
			Hint: func(*Process, Prediction) string {
				return "handle SIGTERM in the application (process.on('SIGTERM', …)), or run with --init (tini)"
			}},
		{Program: ProgPython, Names: []string{"python"}, Prefixes: []string{"python2", "python3"}, Handle: pythonHandle, Hint: pythonHint},
		{Program: ProgShell, Names: []string{"sh", "dash", "bash", "ash", "busybox"},
			Handle: func(e *eval, pr *Prediction) bool { return e.shellTrap(pr) }, Hint: shellHint},
		{Program: ProgJava, Names: []string{"java"}, Handle: javaHandle, Note: javaNote, Hint: javaHint,
			// a launcher (jpackage, an app's own) that loaded libjvm
			Detect: func(p *Process) bool { return p.Deep != nil && p.Deep.JVM.V }},
		// A Go program, from its build information: the runtime's handlers
		// (goHandled). It has no name of its own in the reports.
		{Detect: func(p *Process) bool { return p.Deep != nil && p.Deep.Go.V },
			Handle: func(e *eval, pr *Prediction) bool { return e.goHandled(pr) }},
	}
}

// programsOf returns the rows that describe p, in the order their rules
// are tried: the first whose name matches its executable (exe link), else
// its command name, else argv[0]; then those recognised by Detect.
func programsOf(p *Process) []*programInfo {
	var names []string
	if p.Deep != nil && p.Deep.Exe != "" {
		names = append(names, filepath.Base(strings.TrimSuffix(p.Deep.Exe, " (deleted)")))
	}
	names = append(names, p.Status.Name)
	if len(p.Cmdline) > 0 {
		names = append(names, filepath.Base(p.Cmdline[0]))
	}
	var out []*programInfo
	for _, n := range names {
		if r := programNamed(n); r != nil {
			out = append(out, r)
			break
		}
	}
	for i := range programs {
		if r := &programs[i]; r.Detect != nil && r.Detect(p) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func programNamed(n string) *programInfo {
	for i := range programs {
		r := &programs[i]
		if slices.Contains(r.Names, n) || slices.ContainsFunc(r.Prefixes, func(pre string) bool { return strings.HasPrefix(n, pre) }) {
			return r
		}
	}
	return nil
}

// Identify names the program from its executable (exe link), else its
// command name, else argv[0], else from what else its row detects (a
// launcher that loaded libjvm); ProgUnknown when no named row matches.
func Identify(p *Process) Program {
	for _, r := range programsOf(p) {
		if r.Program != ProgUnknown {
			return r.Program
		}
	}
	return ProgUnknown
}

// Forwarder reports whether the program passes the signals it receives on
// to its child and exits with the child's status.
func (pg Program) Forwarder() bool {
	for _, r := range programs {
		if r.Program == pg && pg != ProgUnknown {
			return r.Forwarder
		}
	}
	return false
}

// knownHandler predicts a caught signal for the programs whose handler is
// known. It reports false when the generic "its code decides" applies.
func (e *eval) knownHandler(pr *Prediction) bool {
	for _, r := range e.rows {
		if r.Handle != nil && r.Handle(e, pr) {
			return true
		}
	}
	return false
}

// programNote adds to a prediction made by the generic rules what a known
// program's missing handler means.
func (e *eval) programNote(pr *Prediction) {
	for _, r := range e.rows {
		if r.Note != nil {
			r.Note(e, pr)
		}
	}
}

// programHint is the first hint a row of p's programs gives, or "".
func programHint(p *Process, pr Prediction) string {
	for _, r := range programsOf(p) {
		if r.Hint != nil {
			if h := r.Hint(p, pr); h != "" {
				return h
			}
		}
	}
	return ""
}
