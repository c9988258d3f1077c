package procinspect

import (
	"path/filepath"
	"slices"
	"strings"
)

// Program is what sigview recognises a process as, when its signal
// behaviour is known beyond what the masks show (docs/kernel-signals.md §8).
// Recognising a program is a fact about the process (its executable, its
// names, what it loaded); what the program does with a signal is judgement,
// in procinspect/predict.
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
	// ProgGo is a Go program, known from its build information. It is not
	// named in the reports (Identify never returns it): its name is its own.
	ProgGo Program = "go"
)

// identity is how sigview recognises one program. To teach sigview a
// program, add a row here and its behaviour in procinspect/predict (and a
// test that runs the real program in a PID namespace).
type identity struct {
	Program Program
	// Names are exact executable or command names; Prefixes match the
	// start of one ("python3" matches python3.12). A renamed binary stays
	// unknown and gets the generic rules.
	Names, Prefixes []string
	// Detect recognises the program from facts other than its name; nil
	// when only names count. Rows recognised by name come first.
	Detect func(p *Process) bool
	// Forwarder: a forwarding init, which passes the signals it receives on
	// to its child and exits with the child's status. The scan reads its
	// children in depth, since its fate is theirs.
	Forwarder bool
}

// programs is every program sigview recognises.
var programs = []identity{
	{Program: ProgTini, Names: []string{"tini", "tini-static", "docker-init"}, Forwarder: true},
	{Program: ProgDumbInit, Names: []string{"dumb-init"}, Forwarder: true},
	{Program: ProgCatatonit, Names: []string{"catatonit", "podman-init"}, Forwarder: true},
	{Program: ProgPause, Names: []string{"pause"}},
	{Program: ProgNode, Names: []string{"node", "nodejs"}},
	{Program: ProgPython, Names: []string{"python"}, Prefixes: []string{"python2", "python3"}},
	{Program: ProgShell, Names: []string{"sh", "dash", "bash", "ash", "busybox"}},
	// a launcher (jpackage, an app's own) that loaded libjvm
	{Program: ProgJava, Names: []string{"java"}, Detect: func(p *Process) bool { return p.Deep != nil && p.Deep.JVM.V }},
	{Program: ProgGo, Detect: func(p *Process) bool { return p.Deep != nil && p.Deep.Go.V }},
}

// Programs returns every program p is recognised as, in the order their
// rules apply: the first whose name matches its executable (exe link), else
// its command name, else argv[0]; then those recognised by other facts (a
// launcher that loaded libjvm, a Go build).
func Programs(p *Process) []Program {
	var names []string
	if p.Deep != nil && p.Deep.Exe != "" {
		names = append(names, filepath.Base(strings.TrimSuffix(p.Deep.Exe, " (deleted)")))
	}
	names = append(names, p.Status.Name)
	if len(p.Cmdline) > 0 {
		names = append(names, filepath.Base(p.Cmdline[0]))
	}
	var out []Program
	for _, n := range names {
		if r := programNamed(n); r != nil {
			out = append(out, r.Program)
			break
		}
	}
	for _, r := range programs {
		if r.Detect != nil && r.Detect(p) && !slices.Contains(out, r.Program) {
			out = append(out, r.Program)
		}
	}
	return out
}

func programNamed(n string) *identity {
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
	for _, pg := range Programs(p) {
		if pg != ProgGo {
			return pg
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
