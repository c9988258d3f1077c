package procinspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadBusyboxInitInRoot: /etc/inittab is read inside the process's own
// root, never through a symlink out of it, and at most maxInittab bytes; a
// missing one means busybox's built-in actions.
func TestReadBusyboxInitInRoot(t *testing.T) {
	d := t.TempDir()
	root := filepath.Join(d, "proc", "7", "root")
	for _, dir := range []string{filepath.Join(root, "etc"), filepath.Join(d, "etc")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(d, "etc", "inittab")
	if err := os.WriteFile(outside, []byte("::ctrlaltdel:/leak\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pr := Proc{PID: 7, dir: filepath.Join(d, "proc", "7")}
	p := &Process{Cmdline: []string{"init"}, Status: &Status{CapEff: Of(uint64(1) << capSysBoot)}}
	tab := filepath.Join(root, "etc", "inittab")
	set := func(f func() error) {
		t.Helper()
		os.Remove(tab)
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}

	set(func() error { return os.WriteFile(tab, []byte("::ctrlaltdel:/bin/true\n"), 0o644) })
	if bb := readBusyboxInit(pr, p); bb.Err != "" || bb.Absent || len(bb.Actions["ctrlaltdel"]) != 1 || bb.Actions["ctrlaltdel"][0] != "/bin/true" {
		t.Errorf("inittab in the root: %+v", bb)
	}
	// The fake procfs has no ns files: with CAP_SYS_BOOT, whether it
	// counts is unknown, and said so.
	if bb := readBusyboxInit(pr, p); bb.Boot.Known || !strings.Contains(bb.BootWhy, "unknown") {
		t.Errorf("CAP_SYS_BOOT without ns files: %v %q", bb.Boot, bb.BootWhy)
	}
	for name, link := range map[string]string{"absolute": outside, "relative": "../../../../etc/inittab"} {
		set(func() error { return os.Symlink(link, tab) })
		bb := readBusyboxInit(pr, p)
		if strings.Contains(strings.Join(bb.Actions["ctrlaltdel"], " "), "/leak") {
			t.Errorf("%s symlink: read a file outside the process's root: %+v", name, bb)
		}
	}
	os.Remove(tab)
	if bb := readBusyboxInit(pr, p); !bb.Absent || bb.Actions["shutdown"][0] != "umount -a -r" {
		t.Errorf("no inittab: %+v, want busybox's built-in actions", bb)
	}
	set(func() error { return os.WriteFile(tab, make([]byte, maxInittab+1), 0o644) })
	if bb := readBusyboxInit(pr, p); !strings.Contains(bb.Err, "larger than") || bb.Actions != nil {
		t.Errorf("oversized inittab: %+v", bb)
	}
	set(func() error { return os.Mkdir(tab, 0o755) })
	if bb := readBusyboxInit(pr, p); !strings.Contains(bb.Err, "not a regular file") {
		t.Errorf("inittab a directory: %+v", bb)
	}
	single := &Process{Cmdline: []string{"init", "single"}, Status: &Status{CapEff: Of(uint64(0))}}
	if bb := readBusyboxInit(pr, single); !bb.Single || !bb.Boot.Known || bb.Boot.V {
		t.Errorf("single-user, no CAP_SYS_BOOT: %+v", bb)
	}
}

// TestIdentifyInitByExe: Alpine's /sbin/init is busybox whose command line
// and name say only "init": a namespace init's files are read before its
// executable, so identifyInit reads the exe link to know it is busybox
// init (without it, its /etc/inittab went unread).
func TestIdentifyInitByExe(t *testing.T) {
	d := t.TempDir()
	if err := os.Symlink("/bin/busybox", filepath.Join(d, "exe")); err != nil {
		t.Fatal(err)
	}
	p := &Process{Cmdline: []string{"init"}, Status: &Status{Name: "init"}}
	if got := Identify(p); got == ProgBusyboxInit {
		t.Fatalf("Identify without the exe link: %q; the test needs it not to know", got)
	}
	if got := identifyInit(p, Proc{PID: 7, dir: d}, nil); got != ProgBusyboxInit {
		t.Errorf("identifyInit: %q, want busybox init", got)
	}
	if got := identifyInit(p, Proc{PID: 7, dir: filepath.Join(d, "none")}, nil); got != Identify(p) {
		t.Errorf("identifyInit without an exe link: %q, want Identify's %q", got, Identify(p))
	}
}

// TestIdentifyInitSameExe: the path the last reading of the same process
// found stands for its exe link only while the process runs under the same
// name; a name of its own (another program run through the same file: a
// busybox applet) has the link read again.
func TestIdentifyInitSameExe(t *testing.T) {
	d := t.TempDir()
	if err := os.Symlink("/bin/busybox", filepath.Join(d, "exe")); err != nil {
		t.Fatal(err)
	}
	p := &Process{Cmdline: []string{"init"}, Status: &Status{Name: "init"}}
	same := &Process{Status: &Status{Name: "init"}, Deep: &Deep{Exe: "/usr/bin/tini"}}
	if got := identifyInit(p, Proc{PID: 7, dir: d}, same); got == ProgBusyboxInit {
		t.Errorf("identifyInit with the same process's last path: %q, read the exe link instead of taking the path", got)
	}
	same.Status = &Status{Name: "sh"}
	if got := identifyInit(p, Proc{PID: 7, dir: d}, same); got != ProgBusyboxInit {
		t.Errorf("identifyInit after a change of name: %q, want busybox init from the exe link read again", got)
	}
}
