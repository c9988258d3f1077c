package procinspect

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestReadJVM(t *testing.T) {
	dir := t.TempDir()
	write := func(maps string) {
		if err := os.WriteFile(filepath.Join(dir, "maps"), []byte(maps), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("7f0000000000-7f0000100000 r-xp 00000000 08:01 1234 /usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so\n")
	if got := readJVM(Proc{dir: dir}); got != KnownFlag(true) {
		t.Errorf("readJVM(libjvm mapped) = %+v, want known true", got)
	}
	write("7f0000000000-7f0000100000 r-xp 00000000 08:01 1234 /usr/lib/libjvm.so.bak\n")
	if got := readJVM(Proc{dir: dir}); got != KnownFlag(false) {
		t.Errorf("readJVM(no libjvm) = %+v, want known false", got)
	}
	if got := readJVM(Proc{dir: filepath.Join(dir, "missing")}); got.Known {
		t.Errorf("readJVM(unreadable) = %+v, want unknown", got)
	}
}

// TestProgramsTable: every name in the table identifies its own row, no
// name belongs to two rows, and a row without a name can only be detected.
func TestProgramsTable(t *testing.T) {
	seen := map[string]Program{}
	for _, r := range programs {
		if r.Program == ProgUnknown || (len(r.Names) == 0 && r.Detect == nil) {
			t.Errorf("row %+v: every row names a program and has names or Detect", r)
		}
		for _, n := range append(append([]string{}, r.Names...), r.Prefixes...) {
			if other, dup := seen[n]; dup {
				t.Errorf("name %q is in the rows of %q and %q", n, other, r.Program)
			}
			seen[n] = r.Program
			p := &Process{Status: &Status{Name: n}}
			if got := Identify(p); got != r.Program {
				t.Errorf("Identify(comm %q) = %q, want %q", n, got, r.Program)
			}
			if got := r.Program.Forwarder(); got != r.Forwarder {
				t.Errorf("%q.Forwarder() = %v, want %v", r.Program, got, r.Forwarder)
			}
		}
	}
	if got := Identify(&Process{Status: &Status{Name: "python3.12"}}); got != ProgPython {
		t.Errorf("Identify(python3.12) = %q, want python (by prefix)", got)
	}
	if got := Identify(&Process{Status: &Status{Name: "mytini"}}); got != ProgUnknown {
		t.Errorf("Identify(mytini) = %q, want unknown: only exact names count", got)
	}
	goProc := &Process{Status: &Status{Name: "server"}, Deep: &Deep{Go: KnownFlag(true)}}
	if got, all := Identify(goProc), Programs(goProc); got != ProgUnknown || !slices.Equal(all, []Program{ProgGo}) {
		t.Errorf("a Go program: Identify = %q, Programs = %q; want unknown and [go]", got, all)
	}
}

// TestMultiCall: a busybox or toybox process is the program its applet is,
// named by argv[0], or argv[1] when argv[0] is the binary itself.
func TestMultiCall(t *testing.T) {
	bb := func(exe, comm string, argv ...string) *Process {
		p := &Process{Status: &Status{Name: comm}, Cmdline: argv}
		if exe != "" {
			p.Deep = &Deep{Exe: exe}
		}
		return p
	}
	for _, c := range []struct {
		p             *Process
		prog          Program
		shell, applet string
	}{
		{bb("/bin/busybox", "sleep", "sleep", "1000"), ProgUnknown, "", "sleep"},
		{bb("/bin/busybox", "busybox", "busybox", "sleep", "5"), ProgUnknown, "", "sleep"},
		{bb("/usr/bin/busybox", "busybox", "/usr/bin/busybox", "sh", "-c", "x"), ProgShell, "ash", "sh"},
		{bb("/bin/busybox", "sh", "/bin/sh", "-c", "x"), ProgShell, "ash", "sh"},
		{bb("/bin/busybox", "sh", "-sh"), ProgShell, "ash", "sh"},
		{bb("/bin/busybox", "init", "/sbin/init"), ProgBusyboxInit, "", "init"},
		{bb("/bin/busybox.static", "tini", "tini"), ProgUnknown, "", "tini"},
		{bb("/bin/toybox", "sh", "sh"), ProgShell, "toysh", "sh"},
		{bb("/bin/toybox", "init", "init"), ProgUnknown, "", "init"},
		// The executable is unreadable: the command name says busybox.
		{bb("", "busybox", "busybox", "ash"), ProgShell, "ash", "ash"},
		{bb("/bin/busybox", "busybox"), ProgUnknown, "", ""},
		// Not multi-call: the names decide.
		{bb("/usr/bin/dash", "sh", "/bin/sh", "-c", "x"), ProgShell, "dash", ""},
		{bb("/usr/bin/bash", "bash", "bash"), ProgShell, "bash", ""},
		{bb("/usr/bin/sleep", "sleep", "busybox", "sh"), ProgUnknown, "", ""},
	} {
		if got := Identify(c.p); got != c.prog {
			t.Errorf("Identify(exe %+v, argv %q) = %q, want %q", c.p.Deep, c.p.Cmdline, got, c.prog)
		}
		if got := Shell(c.p); got != c.shell {
			t.Errorf("Shell(exe %+v, argv %q) = %q, want %q", c.p.Deep, c.p.Cmdline, got, c.shell)
		}
		if _, got := Applet(c.p); got != c.applet {
			t.Errorf("Applet(exe %+v, argv %q) = %q, want %q", c.p.Deep, c.p.Cmdline, got, c.applet)
		}
	}
}

// TestScriptPrograms: supervisord is a Python script, and it is
// supervisord, not python, whatever names it.
func TestScriptPrograms(t *testing.T) {
	for _, p := range []*Process{
		{Status: &Status{Name: "supervisord"}, Cmdline: []string{"/usr/bin/python3", "/usr/bin/supervisord", "-n"}, Deep: &Deep{Exe: "/usr/bin/python3.11"}},
		{Status: &Status{Name: "python3"}, Cmdline: []string{"python3", "/usr/local/bin/supervisord"}, Deep: &Deep{Exe: "/usr/bin/python3.11"}},
	} {
		if got := Identify(p); got != ProgSupervisord || !got.ReadsChildren() || got.Forwarder() {
			t.Errorf("Identify(%q) = %q (reads children %v, forwarder %v), want supervisord, which reads its children and forwards nothing", p.Cmdline, got, got.ReadsChildren(), got.Forwarder())
		}
	}
	if got := Identify(&Process{Status: &Status{Name: "python3"}, Cmdline: []string{"python3", "app.py"}, Deep: &Deep{Exe: "/usr/bin/python3.11"}}); got != ProgPython {
		t.Errorf("Identify(python3 app.py) = %q, want python", got)
	}
}
