package procinspect

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseSupervisordConf reads stopsignal, stopwaitsecs and numprocs
// per program, as supervisor's ConfigParser does, and leaves the defaults
// marked unset.
func TestParseSupervisordConf(t *testing.T) {
	cf := parseIni([]byte("[supervisord]\nstopsignal=KILL\n[program:a]\ncommand = sleep  1000\nStopSignal: int ; comment\nstopwaitsecs=30\n" +
		"; [program:hidden]\n[program:b]\ncommand=b\nstopsignal=NOSUCH\nstopwaitsecs=x\n[include]\nfiles=/etc/x/*.conf\n" +
		"  /etc/y/*.ini # two patterns\n" +
		"[program:w]\ncommand=worker --n %(process_num)02d --of %(numprocs)d # %(program_name)s\nnumprocs=3\nnumprocs_start=1\n"))
	c := SupervisordConf{Path: "/s.conf", Programs: cf.programs("/s.conf")}
	if len(c.Programs) != 3 {
		t.Fatalf("parsed %+v", c)
	}
	if f, _ := cf.get("include", "files"); strings.Join(strings.Fields(f), " ") != "/etc/x/*.conf /etc/y/*.ini" {
		t.Errorf("a continued value: files = %q", f)
	}
	a, b, w := c.Programs[0], c.Programs[1], c.Programs[2]
	if a.Name != "a" || a.StopSignal != SIGINT || !a.StopSignalSet || a.StopWaitSecs != 30 || !a.StopWaitSecsSet || a.File != "/s.conf" || a.NumProcs != 1 {
		t.Errorf("program a: %+v", a)
	}
	if b.StopSignal != SIGTERM || b.StopSignalSet || b.StopWaitSecs != 10 || b.StopWaitSecsSet {
		t.Errorf("program b (unreadable values stay supervisord's defaults, unset): %+v", b)
	}
	if w.NumProcs != 3 || w.NumProcsStart != 1 {
		t.Errorf("program w: %+v", w)
	}
	if p, ok := c.Program([]string{"sleep", "1000"}); !ok || p.Name != "a" {
		t.Errorf("Program(sleep 1000) = %+v, %v; want a", p, ok)
	}
	// numprocs: each process's command is the section's, expanded for it.
	for _, n := range []string{"01", "02", "03"} {
		if p, ok := c.Program([]string{"worker", "--n", n, "--of", "3"}); !ok || p.Name != "w" {
			t.Errorf("Program(worker --n %s) = %+v, %v; want w", n, p, ok)
		}
	}
	if _, ok := c.Program([]string{"worker", "--n", "00", "--of", "3"}); ok {
		t.Errorf("process 0 matched, but numprocs_start is 1")
	}
	if _, ok := c.Program([]string{"other"}); ok {
		t.Errorf("three sections and no matching command: matched")
	}
	c.IncludeErr = "x"
	if _, ok := c.Program([]string{"sleep", "1000"}); ok {
		t.Errorf("a configuration with an unread included file matched a program")
	}
}

// TestSupervisordGroupsAndListeners: [group:G] gives its programs (and
// fcgi-programs) group_name G, [eventlistener:x] and [fcgi-program:x]
// sections are stopped as programs are, and stopasgroup implies
// killasgroup (options.py).
func TestSupervisordGroupsAndListeners(t *testing.T) {
	cf := parseIni([]byte("[group:sleep]\nprograms = a , b\n[program:a]\ncommand=%(group_name)s 1000\nstopasgroup=true\n" +
		"[program:b]\ncommand=%(group_name)s 2000\nkillasgroup=yes\n[program:c]\ncommand=%(group_name)s 3000\nstopasgroup=maybe\n" +
		"[eventlistener:ev]\ncommand=listen\nevents=PROCESS_STATE\nstopsignal=KILL\n[group:web]\nprograms=fc\n" +
		"[fcgi-program:fc]\ncommand=serve %(group_name)s\nsocket=unix:///run/fc.sock\nstopsignal=INT\n"))
	c := SupervisordConf{Path: "/s.conf", Programs: cf.programs("/s.conf")}
	if len(c.Programs) != 5 {
		t.Fatalf("parsed %+v", c.Programs)
	}
	a, b, cc, ev := c.Programs[0], c.Programs[1], c.Programs[2], c.Programs[3]
	if a.Group != "sleep" || !a.StopAsGroup || !a.KillAsGroup || b.Group != "sleep" || b.StopAsGroup || !b.KillAsGroup {
		t.Errorf("a, b: %+v, %+v", a, b)
	}
	if cc.Group != "c" || cc.StopAsGroup || cc.KillAsGroup {
		t.Errorf("c (no group; an invalid boolean): %+v", cc)
	}
	if ev.Kind != "eventlistener" || ev.StopSignal != SIGKILL || ev.Section() != "[eventlistener:ev]" || a.Section() != "[program:a]" {
		t.Errorf("ev: %+v", ev)
	}
	if fc := c.Programs[4]; fc.Kind != "fcgi-program" || fc.Group != "web" || fc.StopSignal != SIGINT || fc.Section() != "[fcgi-program:fc]" {
		t.Errorf("fc: %+v", fc)
	}
	for argv, want := range map[string]string{"sleep 1000": "a", "sleep 2000": "b", "c 3000": "c", "listen": "ev", "serve web": "fc"} {
		if p, ok := c.Program(strings.Fields(argv)); !ok || p.Name != want {
			t.Errorf("Program(%s) = %+v, %v; want %s", argv, p, ok, want)
		}
	}
	// One program and one listener: the listener's process is no longer
	// taken for the only program.
	oc := parseIni([]byte("[program:p]\ncommand=sleep 1\n[eventlistener:e]\ncommand=e\n"))
	one := SupervisordConf{Path: "/s.conf", Programs: oc.programs("/s.conf")}
	if p, ok := one.Program([]string{"python3"}); ok {
		t.Errorf("an unmatched process was taken for %+v", p)
	}
}

// TestShlexAndFormat: commands are split as shlex.split and expanded as
// Python's % with a dict.
func TestShlexAndFormat(t *testing.T) {
	for in, want := range map[string]string{
		`sh -c "sleep 1000; echo \"x\""`: "sh|-c|sleep 1000; echo \"x\"",
		`a 'b c' d\ e`:                   "a|b c|d e",
		`  x  `:                          "x",
	} {
		if got, err := shlexSplit(in); err != nil || strings.Join(got, "|") != want {
			t.Errorf("shlexSplit(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := shlexSplit(`a "b`); err == nil {
		t.Errorf("an open quotation split")
	}
	vars := map[string]any{"process_num": 7, "program_name": "p"}
	for in, want := range map[string]string{"x%(process_num)03d %(program_name)s 100%%": "x007 p 100%", "%(process_num)s": "7"} {
		if got, ok := pyFormat(in, vars); !ok || got != want {
			t.Errorf("pyFormat(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"%(ENV_HOME)s", "50%", "%(program_name)d", "%(process_num)x"} {
		if got, ok := pyFormat(in, vars); ok {
			t.Errorf("pyFormat(%q) = %q: want refused", in, got)
		}
	}
	if pyDirname("/usr/bin/supervisord") != "/usr/bin" || pyDirname(pyDirname("supervisord")) != "" || pyDirname("/x") != "/" || pyJoin("", "etc", "s.conf") != "etc/s.conf" || pyJoin("/a/", "/b") != "/b" {
		t.Errorf("Python's path functions")
	}
}

// TestReadSupervisordConfInRoot: the configuration is found and read as
// supervisord did, inside the process's root: -c or the first default path
// that exists, relative paths from its working directory (never out of
// it), [include] globs one level deep; a symlink or ".." stops at the root
// and never reaches a file outside it; sizes and counts are bounded.
func TestReadSupervisordConfInRoot(t *testing.T) {
	d := t.TempDir()
	root := filepath.Join(d, "proc", "7", "root")
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, path string) {
		t.Helper()
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
	// Outside the root: a file symlinks inside try to reach.
	write(filepath.Join(d, "etc", "outside.conf"), "[program:leak]\nstopsignal=HUP\n")
	write(filepath.Join(root, "etc", "s.conf"), "[program:x]\nstopsignal=INT\n")
	link(filepath.Join(d, "etc", "outside.conf"), filepath.Join(root, "etc", "abs.conf"))
	link("../../../../etc/outside.conf", filepath.Join(root, "etc", "rel.conf"))
	write(filepath.Join(root, "etc", "big.conf"), strings.Repeat("#", maxSupervisordConf+1))
	write(filepath.Join(root, "app", "here.conf"), "[program:here]\n")
	link(filepath.Join(root, "app"), filepath.Join(d, "proc", "7", "cwd"))
	pr := Proc{PID: 7, dir: filepath.Join(d, "proc", "7")}
	leaked := func(c *SupervisordConf) bool {
		for _, p := range c.Programs {
			if p.Name == "leak" {
				return true
			}
		}
		return false
	}

	c := readSupervisordConf(pr, []string{"/usr/bin/python3", "/usr/bin/supervisord", "-n", "-c", "/etc/s.conf"})
	if c.Err != "" || len(c.Programs) != 1 || c.Programs[0].StopSignal != SIGINT || c.Found != "its -c" {
		t.Errorf("-c /etc/s.conf: %+v", c)
	}
	if c := readSupervisordConf(pr, []string{"supervisord", "-nc", "here.conf"}); c.Err != "" || len(c.Programs) != 1 || c.Programs[0].Name != "here" {
		t.Errorf("-nc here.conf (from its working directory): %+v", c)
	}
	// A relative [include] through a directory symlink out of the working
	// directory: sigview may not list it, supervisord did, so no program
	// is matched.
	write(filepath.Join(root, "app", "inc.conf"), "[include]\nfiles = confs/*.conf\n[program:here]\ncommand=here\n")
	link("/etc", filepath.Join(root, "app", "confs"))
	if c := readSupervisordConf(pr, []string{"supervisord", "-c", "inc.conf"}); !strings.Contains(c.IncludeErr, "leaves its working directory") {
		t.Errorf("an include glob through a symlink out of the working directory: %+v", c)
	}
	for _, argv := range [][]string{{"supervisord", "--configuration=/etc/abs.conf"}, {"supervisord", "-c/etc/rel.conf"}, {"supervisord", "-c", "../etc/s.conf"}} {
		if c := readSupervisordConf(pr, argv); leaked(c) || c.Err == "" {
			t.Errorf("%q: %+v; want an error and nothing from outside the root", argv, c)
		}
	}
	for argv, want := range map[string]string{"/etc/big.conf": "larger than", "/etc/none.conf": "no such file"} {
		if c := readSupervisordConf(pr, []string{"supervisord", "-c", argv}); !strings.Contains(c.Err, want) {
			t.Errorf("-c %q: Err %q, want %q", argv, c.Err, want)
		}
	}
	if c := readSupervisordConf(pr, []string{"python3", "-m", "supervisor.supervisord"}); !strings.Contains(c.Err, "python -m") {
		t.Errorf("python -m: %+v", c)
	}
	if c := readSupervisordConf(pr, []string{"/usr/bin/supervisord"}); !strings.Contains(c.Err, "none of supervisord's default paths") {
		t.Errorf("no configuration on the default paths: %+v", c)
	}

	// Debian's layout: /etc/supervisor/supervisord.conf, found by the
	// default search, including conf.d/*.conf.
	etc := filepath.Join(root, "etc", "supervisor")
	write(filepath.Join(etc, "supervisord.conf"), "[supervisord]\n[include]\nfiles = conf.d/*.conf %(here)s/more/one.conf\n[program:main]\ncommand=main\n")
	write(filepath.Join(etc, "conf.d", "b.conf"), "[program:a]\nstopwaitsecs=5\n[program:b]\ncommand=b\n")
	write(filepath.Join(etc, "conf.d", "a.conf"), "[program:a]\ncommand=a\nstopsignal=QUIT\n")
	write(filepath.Join(etc, "conf.d", ".hidden.conf"), "[program:hidden]\n")
	write(filepath.Join(etc, "conf.d", "c.ini"), "[program:ini]\n")
	write(filepath.Join(etc, "more", "one.conf"), "[program:one]\ncommand=one\n")
	link(filepath.Join(d, "etc", "outside.conf"), filepath.Join(etc, "conf.d", "evil.conf"))
	c = readSupervisordConf(pr, []string{"/usr/bin/python3", "/usr/bin/supervisord", "-n"})
	var names []string
	for _, p := range c.Programs {
		names = append(names, p.Name+"@"+strings.TrimPrefix(p.File, "/etc/supervisor/"))
	}
	if c.Err != "" || c.IncludeErr != "" || c.Path != "/etc/supervisor/supervisord.conf" || !strings.Contains(c.Found, "default paths") || leaked(c) ||
		strings.Join(names, " ") != "main@supervisord.conf a@conf.d/a.conf b@conf.d/b.conf one@more/one.conf" {
		t.Fatalf("the default search with [include]: %+v (programs %v)", c, names)
	}
	if a, _ := c.Program([]string{"a"}); a.StopSignal != 3 || a.StopWaitSecs != 5 {
		t.Errorf("[program:a] merged over two included files: %+v", a)
	}
	// The working directory's supervisord.conf comes before /etc's.
	write(filepath.Join(root, "app", "supervisord.conf"), "[program:cwd]\n")
	if c := readSupervisordConf(pr, []string{"/usr/bin/supervisord"}); c.Path != "supervisord.conf" || len(c.Programs) != 1 {
		t.Errorf("supervisord.conf in its working directory: %+v", c)
	}
	os.Remove(filepath.Join(root, "app", "supervisord.conf"))
	// One in its working directory that leads out of it (an absolute
	// symlink): supervisord may have read it, so nothing later on the
	// search is taken for it.
	link("/etc/supervisor/supervisord.conf", filepath.Join(root, "app", "supervisord.conf"))
	if c := readSupervisordConf(pr, []string{"/usr/bin/supervisord"}); !strings.Contains(c.Err, "supervisord.conf, one of supervisord's default paths, exists is unknown") || len(c.Programs) != 0 {
		t.Errorf("a default path that leaves the working directory: %+v", c)
	}
	os.Remove(filepath.Join(root, "app", "supervisord.conf"))

	// [include] refusals: an unknown expansion, a bracket glob, too many
	// files, an oversized file. Each leaves the programs unmatched.
	for i := 0; i < 65; i++ {
		write(filepath.Join(etc, "many", fmt.Sprintf("%02d.conf", i)), "")
	}
	write(filepath.Join(etc, "big.cnf"), strings.Repeat("#", maxSupervisordConf+1))
	for text, want := range map[string]string{
		"files = %(ENV_HOME)s/*.conf":   "expansion",
		"files = conf.d/[ab].conf":      "bracket",
		"files = many/*.conf":           "more than 64",
		"files = conf.d/*.conf big.cnf": "larger than",
	} {
		write(filepath.Join(etc, "supervisord.conf"), "[supervisord]\n[include]\n"+text+"\n[program:main]\ncommand=main\n")
		c := readSupervisordConf(pr, []string{"/usr/bin/supervisord"})
		if _, ok := c.Program([]string{"main"}); !strings.Contains(c.IncludeErr, want) || ok {
			t.Errorf("%s: IncludeErr %q (matched %v); want %q and no match", text, c.IncludeErr, ok, want)
		}
	}
}

// TestSupervisordHostileBounds: what a container's supervisord config can
// make a scan do is bounded. A long continued value is joined whole; a
// format width over two digits is not expanded (it would build a string
// that wide for each numprocs of each section, per child, per scan); more
// than maxSupervisordPrograms sections are not matched.
func TestSupervisordHostileBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("[program:long]\ncommand=sleep 1\nenvironment=A=1\n")
	for i := 0; i < 5000; i++ {
		b.WriteString(" a\n")
	}
	f := parseIni([]byte(b.String()))
	if len(f.sections) != 1 {
		t.Fatalf("sections %d, want 1", len(f.sections))
	}
	if v := f.sections[0].keys["environment"]; v != "A=1"+strings.Repeat("\na", 5000) {
		t.Errorf("the continued value has %d bytes, want %d", len(v), len("A=1")+2*5000)
	}
	for spec, ok := range map[string]bool{"%(process_num)02d": true, "%(process_num)-5d": true, "%(process_num)999999d": false, "%(process_num)100s": false} {
		if _, got := pyFormat(spec, map[string]any{"process_num": 1}); got != ok {
			t.Errorf("pyFormat(%q): ok %v, want %v", spec, got, ok)
		}
	}
	b.Reset()
	for i := 0; i <= maxSupervisordPrograms; i++ {
		fmt.Fprintf(&b, "[program:p%d]\ncommand=sleep %d\n", i, i)
	}
	c := readSupervisordFrom(rootFSFor(t, b.String()), []string{"supervisord", "-c", "/etc/supervisord.conf"})
	if len(c.Programs) != maxSupervisordPrograms+1 {
		t.Fatalf("%d programs read (%q), want %d", len(c.Programs), c.Err, maxSupervisordPrograms+1)
	}
	if _, ok := c.Program([]string{"sleep", "3"}); ok {
		t.Errorf("a child matched among %d sections; want not followed past %d", len(c.Programs), maxSupervisordPrograms)
	}
}

// rootFSFor is a root holding conf as /etc/supervisord.conf.
func rootFSFor(t *testing.T, conf string) rootFS {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "supervisord.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return rootFS{root: root, cwd: root}
}

// TestProgramForLeaders: the only section is taken for a process whose
// command matches none (assumed) only while supervisord's group-leading
// children are no more than its numprocs.
func TestProgramForLeaders(t *testing.T) {
	c := &SupervisordConf{Programs: []SupervisordProgram{{Kind: "program", Name: "p", Command: "sh -c x", NumProcs: 1}}}
	if p, assumed, ok := c.ProgramFor([]string{"sleep", "999"}, 1); !ok || !assumed || p.Name != "p" {
		t.Errorf("one leader: %v %v %v; want p, assumed", p.Name, assumed, ok)
	}
	if _, _, ok := c.ProgramFor([]string{"sleep", "999"}, 2); ok {
		t.Errorf("two leaders for a section of one process: taken")
	}
	if p, assumed, ok := c.ProgramFor([]string{"sh", "-c", "x"}, 2); !ok || assumed || p.Name != "p" {
		t.Errorf("its own command: %v %v %v; want p, not assumed", p.Name, assumed, ok)
	}
}

// TestStopAsGroupExpanded: a stopasgroup or killasgroup that supervisord
// expands (%(ENV_X)s) is unknown, not false.
func TestStopAsGroupExpanded(t *testing.T) {
	cf := parseIni([]byte("[program:a]\ncommand=a\nstopasgroup=%(ENV_GROUP)s\n[program:b]\ncommand=b\nkillasgroup=true\n"))
	ps := cf.programs("/etc/supervisord.conf")
	if len(ps) != 2 || !strings.Contains(ps[0].AsGroupUnknown, "stopasgroup=%(ENV_GROUP)s") || ps[1].AsGroupUnknown != "" {
		t.Errorf("programs %+v; want a's stopasgroup unknown, b's known", ps)
	}
}
