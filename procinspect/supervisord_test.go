package procinspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseSupervisordConf reads stopsignal and stopwaitsecs per program,
// as supervisor's ConfigParser does, and leaves the defaults marked unset.
func TestParseSupervisordConf(t *testing.T) {
	var c SupervisordConf
	parseSupervisordConf([]byte("[supervisord]\nstopsignal=KILL\n[program:a]\ncommand = sleep  1000\nStopSignal: int ; comment\nstopwaitsecs=30\n"+
		"; [program:hidden]\n[program:b]\ncommand=b\nstopsignal=NOSUCH\nstopwaitsecs=x\n[include]\nfiles=/etc/x/*.conf\n"), &c)
	if len(c.Programs) != 2 || !c.Includes {
		t.Fatalf("parsed %+v", c)
	}
	a, b := c.Programs[0], c.Programs[1]
	if a.Name != "a" || a.StopSignal != SIGINT || !a.StopSignalSet || a.StopWaitSecs != 30 || !a.StopWaitSecsSet {
		t.Errorf("program a: %+v", a)
	}
	if b.StopSignal != SIGTERM || b.StopSignalSet || b.StopWaitSecs != 10 || b.StopWaitSecsSet {
		t.Errorf("program b (unreadable values stay supervisord's defaults, unset): %+v", b)
	}
	if _, ok := c.Program([]string{"sleep", "1000"}); ok {
		t.Errorf("a configuration with an [include] matched a program")
	}
	c.Includes = false
	if p, ok := c.Program([]string{"sleep", "1000"}); !ok || p.Name != "a" {
		t.Errorf("Program(sleep 1000) = %+v, %v; want a", p, ok)
	}
	if _, ok := c.Program([]string{"other"}); ok {
		t.Errorf("two sections and no matching command: matched")
	}
}

// TestReadSupervisordConfInRoot: the -c path is resolved inside the
// process's root; a symlink or ".." there stops at that root and never
// reaches a file outside it; relative paths and oversized files are refused.
func TestReadSupervisordConfInRoot(t *testing.T) {
	d := t.TempDir()
	root := filepath.Join(d, "proc", "7", "root")
	for _, dir := range []string{filepath.Join(root, "etc"), filepath.Join(d, "etc")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Outside the root: a file a symlink inside tries to reach.
	if err := os.WriteFile(filepath.Join(d, "etc", "outside.conf"), []byte("[program:leak]\nstopsignal=HUP\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "s.conf"), []byte("[program:x]\nstopsignal=INT\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(d, "etc", "outside.conf"), filepath.Join(root, "etc", "abs.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../etc/outside.conf", filepath.Join(root, "etc", "rel.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "big.conf"), make([]byte, maxSupervisordConf+1), 0o644); err != nil {
		t.Fatal(err)
	}
	pr := Proc{PID: 7, dir: filepath.Join(d, "proc", "7")}
	c := readSupervisordConf(pr, []string{"supervisord", "-n", "-c", "/etc/s.conf"})
	if c.Err != "" || len(c.Programs) != 1 || c.Programs[0].StopSignal != SIGINT {
		t.Errorf("-c /etc/s.conf: %+v", c)
	}
	for _, argv := range [][]string{{"supervisord", "--configuration=/etc/abs.conf"}, {"supervisord", "-c/etc/rel.conf"}} {
		c := readSupervisordConf(pr, argv)
		for _, p := range c.Programs {
			if p.Name == "leak" {
				t.Errorf("%q read a file outside the process's root", argv)
			}
		}
		if c.Err == "" {
			t.Errorf("%q: no error for a path that leaves the root: %+v", argv, c)
		}
	}
	for argv, want := range map[string]string{"etc/s.conf": "relative", "/etc/big.conf": "larger than", "": "names no configuration"} {
		args := []string{"supervisord"}
		if argv != "" {
			args = append(args, "-c", argv)
		}
		if c := readSupervisordConf(pr, args); !strings.Contains(c.Err, want) {
			t.Errorf("-c %q: Err %q, want %q", argv, c.Err, want)
		}
	}
}
