package procinspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadS6Service: down-signal and timeout-kill are read as s6-supervise
// reads them (15 bytes up to a newline; a number or a name), beneath the
// service directory; a file that leaves it is refused, never followed.
func TestReadS6Service(t *testing.T) {
	d := t.TempDir()
	root := filepath.Join(d, "proc", "7", "root")
	svc := filepath.Join(root, "run", "service", "web")
	for _, dir := range []string{svc, filepath.Join(d, "etc")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(svc, filepath.Join(d, "proc", "7", "cwd")); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		t.Helper()
		os.Remove(filepath.Join(svc, name))
		if err := os.WriteFile(filepath.Join(svc, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pr := Proc{PID: 7, dir: filepath.Join(d, "proc", "7")}
	argv := []string{"s6-supervise", "web"}
	if s := readS6Service(pr, argv); s.Err != "" || s.DownSignal != SIGTERM || s.DownSignalSet || s.TimeoutKill != 0 || s.Finish != S6Absent || s.Log {
		t.Errorf("no files: %+v", s)
	}
	write("down-signal", "SIGINT\nignored")
	write("timeout-kill", "2500\n")
	write("finish", "#!/bin/sh\n")
	if s := readS6Service(pr, argv); s.Err != "" || s.DownSignal != SIGINT || !s.DownSignalSet || s.TimeoutKill != 2500 || s.Finish != S6Executable {
		t.Errorf("down-signal SIGINT, timeout-kill 2500, finish: %+v", s)
	}
	write("down-signal", "3")
	if s := readS6Service(pr, []string{"s6-supervise", "web/log"}); s.DownSignal != 3 || !s.Log {
		t.Errorf("down-signal 3, a logger: %+v", s)
	}
	write("down-signal", "NOSUCH")
	if s := readS6Service(pr, argv); s.DownSignal != SIGTERM || s.DownSignalSet {
		t.Errorf("an invalid down-signal keeps SIGTERM, as s6-supervise does: %+v", s)
	}
	if err := os.WriteFile(filepath.Join(d, "etc", "sig"), []byte("SIGHUP"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(svc, "down-signal"))
	if err := os.Symlink(filepath.Join(d, "etc", "sig"), filepath.Join(svc, "down-signal")); err != nil {
		t.Fatal(err)
	}
	if s := readS6Service(pr, argv); s.DownSignal == 1 || !strings.Contains(s.Err, "down-signal") {
		t.Errorf("a down-signal symlink out of the service directory: %+v; want refused", s)
	}
}
