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

// TestReadS6ServiceTimeoutFinish: timeout-finish is read as s6-supervise
// reads it (5000 ms without the file or with no number; 0 is no limit),
// and s6-svscan's catch-all logger is told from a logged service's.
func TestReadS6ServiceTimeoutFinish(t *testing.T) {
	d := t.TempDir()
	svc := filepath.Join(d, "proc", "7", "root", "svc")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(svc, filepath.Join(d, "proc", "7", "cwd")); err != nil {
		t.Fatal(err)
	}
	pr := Proc{PID: 7, dir: filepath.Join(d, "proc", "7")}
	for _, c := range []struct {
		file string // "" : no file
		want int
		set  bool
	}{{"", 5000, false}, {"300\n", 300, true}, {"0", 0, true}, {"soon", 5000, false}} {
		os.Remove(filepath.Join(svc, "timeout-finish"))
		if c.file != "" {
			if err := os.WriteFile(filepath.Join(svc, "timeout-finish"), []byte(c.file), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if s := readS6Service(pr, []string{"s6-supervise", "svc"}); s.TimeoutFinish != c.want || s.TimeoutFinishSet != c.set || s.Err != "" {
			t.Errorf("timeout-finish %q: %+v; want %d (set %v)", c.file, s, c.want, c.set)
		}
	}
	if s := readS6Service(pr, []string{"s6-supervise", "s6-svscan-log"}); !s.Special || s.Log {
		t.Errorf("s6-svscan-log: %+v; want the catch-all logger", s)
	}
}

// TestReadS6FilesOverlay: s6-overlay is recognised by a path only it puts
// in the init's root, looked for inside that root (an absolute symlink
// resolves there, never on the host); .s6-svscan/crash is read too.
func TestReadS6FilesOverlay(t *testing.T) {
	d := t.TempDir()
	root := filepath.Join(d, "proc", "7", "root")
	scan := filepath.Join(root, "run", "service")
	if err := os.MkdirAll(filepath.Join(scan, ".s6-svscan"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(scan, filepath.Join(d, "proc", "7", "cwd")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(scan, ".s6-svscan", "crash"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	pr := Proc{PID: 7, dir: filepath.Join(d, "proc", "7")}
	if f := readS6Files(pr); f.Overlay != "" || f.File("crash") != S6Executable || f.File("finish") != S6Absent {
		t.Errorf("no mark: %+v", f)
	}
	// /package/admin/s6-overlay as an absolute symlink to a directory that
	// exists on the host but not in the root: not s6-overlay.
	if err := os.MkdirAll(filepath.Join(root, "package", "admin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(d, filepath.Join(root, "package", "admin", "s6-overlay")); err != nil {
		t.Fatal(err)
	}
	if f := readS6Files(pr); f.Overlay != "" {
		t.Errorf("a symlink out of the root was followed: %+v", f)
	}
	if err := os.MkdirAll(filepath.Join(root, "run", "s6-linux-init-container-results"), 0o755); err != nil {
		t.Fatal(err)
	}
	if f := readS6Files(pr); f.Overlay != "/run/s6-linux-init-container-results" {
		t.Errorf("with the container-results directory: %+v", f)
	}
}
