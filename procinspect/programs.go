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
	ProgShell     Program = "shell" // sh, dash, bash, ash, busybox sh (Shell names which)
	// ProgBusyboxInit is busybox's init applet (Alpine's /sbin/init).
	ProgBusyboxInit Program = "busybox-init"
	// Supervisors run as a container's init.
	ProgS6Svscan    Program = "s6-svscan" // also s6-overlay's /init, which execs it
	ProgRunsvdir    Program = "runsvdir"  // runit
	ProgSupervisord Program = "supervisord"
	ProgSystemd     Program = "systemd"
	ProgJava        Program = "java" // the JVM: java, or a launcher that loads libjvm
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
	// Script: the program is an interpreted script (supervisord is
	// Python): its command name or argv names it even though its
	// executable is the interpreter, whose row would match first.
	Script bool
	// Forwarder: a forwarding init, which passes the signals it receives on
	// to its child and exits with the child's status. The scan reads its
	// children in depth, since its fate is theirs.
	Forwarder bool
	// Supervises: a supervisor that stops its children before it exits
	// (supervisord; s6-svscan, whose s6-supervise children stop their
	// services): the scan reads them in depth too.
	Supervises bool
}

// programs is every program sigview recognises.
var programs = []identity{
	{Program: ProgTini, Names: []string{"tini", "tini-static", "docker-init"}, Forwarder: true},
	{Program: ProgDumbInit, Names: []string{"dumb-init"}, Forwarder: true},
	{Program: ProgCatatonit, Names: []string{"catatonit", "podman-init"}, Forwarder: true},
	{Program: ProgPause, Names: []string{"pause"}},
	{Program: ProgNode, Names: []string{"node", "nodejs"}},
	{Program: ProgPython, Names: []string{"python"}, Prefixes: []string{"python2", "python3"}},
	{Program: ProgShell, Names: []string{"sh", "dash", "bash", "ash"}},
	{Program: ProgS6Svscan, Names: []string{"s6-svscan"}, Supervises: true},
	{Program: ProgRunsvdir, Names: []string{"runsvdir"}},
	{Program: ProgSupervisord, Names: []string{"supervisord"}, Script: true, Supervises: true},
	{Program: ProgSystemd, Names: []string{"systemd"}, Supervises: true},
	// a launcher (jpackage, an app's own) that loaded libjvm
	{Program: ProgJava, Names: []string{"java"}, Detect: func(p *Process) bool { return p.Deep != nil && p.Deep.JVM.V }},
	{Program: ProgGo, Detect: func(p *Process) bool { return p.Deep != nil && p.Deep.Go.V }},
}

// Programs returns every program p is recognised as, in the order their
// rules apply: the first whose name matches its executable (exe link), else
// its command name, else argv[0]; then those recognised by other facts (a
// launcher that loaded libjvm, a Go build).
//
// A multi-call binary (busybox, toybox) is the program its applet is
// (Applet): `sh` and `ash` are a shell, `init` is busybox init, and any
// other applet (`sleep`) is no program sigview knows, so the generic rules
// apply to it.
func Programs(p *Process) []Program {
	var out []Program
	if multi, applet := Applet(p); multi != "" {
		if pg := appletProgram(multi, applet); pg != ProgUnknown {
			out = append(out, pg)
		}
	} else if r := scriptNamed(p); r != nil {
		out = append(out, r.Program)
	} else {
		for _, n := range names(p) {
			if r := programNamed(n); r != nil {
				out = append(out, r.Program)
				break
			}
		}
	}
	for _, r := range programs {
		if r.Detect != nil && r.Detect(p) && !slices.Contains(out, r.Program) {
			out = append(out, r.Program)
		}
	}
	return out
}

// names are the names p goes by, in the order they count: its executable's
// base name (exe link), its command name, argv[0]'s base name.
func names(p *Process) []string {
	var out []string
	if p.Deep != nil && p.Deep.Exe != "" {
		out = append(out, filepath.Base(strings.TrimSuffix(p.Deep.Exe, " (deleted)")))
	}
	out = append(out, p.Status.Name)
	if len(p.Cmdline) > 0 {
		out = append(out, filepath.Base(p.Cmdline[0]))
	}
	return out
}

// scriptNamed is the script row (Script) that p's command name, argv[0]
// or argv[1] (`python3 /usr/bin/supervisord`) names; nil when none.
func scriptNamed(p *Process) *identity {
	cands := []string{p.Status.Name}
	for i := 0; i < len(p.Cmdline) && i < 2; i++ {
		cands = append(cands, filepath.Base(p.Cmdline[i]))
	}
	for i := range programs {
		r := &programs[i]
		if r.Script && slices.ContainsFunc(cands, func(n string) bool { return slices.Contains(r.Names, n) }) {
			return r
		}
	}
	return nil
}

// multiCall are the executables that are many programs in one, chosen by
// the name they are run as.
var multiCall = []string{"busybox", "toybox"}

// isMultiCall returns the multi-call binary n names: its exact name, or
// that name with a build suffix after a dash or a dot ("busybox-static",
// "busybox.musl"); "" for any other name.
func isMultiCall(n string) string {
	for _, m := range multiCall {
		if n == m || strings.HasPrefix(n, m+"-") || strings.HasPrefix(n, m+".") {
			return m
		}
	}
	return ""
}

// Applet returns, for a multi-call binary, which one it is ("busybox",
// "toybox") and the applet it runs as: argv[0]'s base name, or argv[1]'s
// when argv[0] names the multi-call binary itself (`busybox sleep 5`).
// The executable (exe link) decides whether p is one; when it is
// unreadable, the command name or argv[0] does. applet is "" when the
// command line was not read. multi is "" for any other program.
func Applet(p *Process) (multi, applet string) {
	if p.Deep != nil && p.Deep.Exe != "" {
		multi = isMultiCall(filepath.Base(strings.TrimSuffix(p.Deep.Exe, " (deleted)")))
	} else {
		for _, n := range names(p) {
			if multi = isMultiCall(n); multi != "" {
				break
			}
		}
	}
	if multi == "" || len(p.Cmdline) == 0 {
		return multi, ""
	}
	applet = filepath.Base(p.Cmdline[0])
	if isMultiCall(applet) != "" {
		applet = ""
		if len(p.Cmdline) > 1 {
			applet = filepath.Base(p.Cmdline[1])
		}
	}
	// A login shell is run as "-sh".
	return multi, strings.TrimPrefix(applet, "-")
}

// appletProgram is the program a multi-call binary's applet is.
func appletProgram(multi, applet string) Program {
	switch applet {
	case "sh", "ash", "bash", "hush":
		return ProgShell
	case "init", "linuxrc":
		if multi == "busybox" {
			return ProgBusyboxInit
		}
	}
	return ProgUnknown
}

// Shell names which shell a process recognised as ProgShell is: "bash",
// "dash", "ash" (busybox's sh and ash), "hush", "toysh" (toybox's sh), or
// "sh" when only that name is known (on Debian, sh is dash; on Alpine,
// busybox ash). "" for a process that is no shell.
func Shell(p *Process) string {
	if multi, applet := Applet(p); multi != "" {
		switch {
		case appletProgram(multi, applet) != ProgShell:
			return ""
		case multi == "toybox":
			return "toysh"
		case applet == "hush":
			return "hush"
		}
		return "ash" // busybox's sh and bash applets are ash
	}
	for _, n := range names(p) {
		if r := programNamed(n); r != nil {
			if r.Program != ProgShell {
				return ""
			}
			return n
		}
	}
	return ""
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

// ReadsChildren reports whether the program's fate on a signal is its
// children's (a forwarder, a supervisor that stops them first), so that the
// scan reads them in depth.
func (pg Program) ReadsChildren() bool {
	for _, r := range programs {
		if r.Program == pg && pg != ProgUnknown {
			return r.Forwarder || r.Supervises
		}
	}
	return false
}

// readsChildStatus reports whether a prediction for p reads its
// children's status (predict's behaviours by Programs: a shell's trap and
// stop hint read its child's masks and state; a forwarder or a supervisor
// reads them, and the scan reads those children in depth; systemd only
// when it sees a container, readsChildren).
func readsChildStatus(p *Process) bool {
	for _, pg := range Programs(p) {
		if pg == ProgShell || pg.ReadsChildren() && (pg != ProgSystemd || readsChildren(p)) {
			return true
		}
	}
	return false
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
