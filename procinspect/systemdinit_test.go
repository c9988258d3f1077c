package procinspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigview/sigview/nsutil"
)

// TestReadSystemdInit: `container` in systemd's environment decides whether
// it sees a container (set: yes, whatever the value, escaped when shown;
// empty: no; unset or unread: unknown), and CAP_SYS_BOOT whether its
// reboot(2) can end the namespace.
func TestReadSystemdInit(t *testing.T) {
	pr := Proc{PID: 7, dir: t.TempDir()}
	for _, c := range []struct {
		env    map[string]string
		envErr string
		want   Flag
		has    string
	}{
		{map[string]string{"container": "podman"}, "", KnownFlag(true), "`container=podman`"},
		{map[string]string{"container": "x\x1b[2J"}, "", KnownFlag(true), `\x1b[2J`},
		{map[string]string{"container": ""}, "", KnownFlag(false), "set empty"},
		{map[string]string{}, "", Flag{}, "not set"},
		{nil, "permission denied", Flag{}, "permission denied"},
	} {
		p := &Process{Env: c.env, EnvErr: c.envErr, Status: &Status{CapEff: Of(uint64(0))}}
		sd := readSystemdInit(pr, p)
		if sd.Container != c.want || !strings.Contains(sd.ContainerWhy, c.has) || strings.Contains(sd.ContainerWhy, "\x1b") {
			t.Errorf("env %q: container %v (%s); want %v, naming %q", c.env, sd.Container, sd.ContainerWhy, c.want, c.has)
		}
		if !sd.Boot.Known || sd.Boot.V || !strings.Contains(sd.BootWhy, "CAP_SYS_BOOT") {
			t.Errorf("no CAP_SYS_BOOT: boot %v (%s)", sd.Boot, sd.BootWhy)
		}
	}
}

// TestSystemdContainerManager: systemd reads /run/host/container-manager
// before `container` (detect_container, src/basic/virt.c), inside the
// init's root: its first line, if any, makes a container whatever the
// variable says; an empty file falls through to the variable; one that is
// not a regular file, or too large, leaves it unknown.
func TestSystemdContainerManager(t *testing.T) {
	for _, c := range []struct {
		file string // "" none; "dir" a directory
		env  map[string]string
		want Flag
		has  string
	}{
		{"podman\n", map[string]string{"container": ""}, KnownFlag(true), "/run/host/container-manager in its root names podman"},
		{"x\x1b[2J\nmore\n", map[string]string{}, KnownFlag(true), `names x\x1b[2J`},
		// read_one_line_file returns the bytes consumed: a lone newline is
		// an empty name, container-other (review 3).
		{"\n", map[string]string{"container": ""}, KnownFlag(true), "/run/host/container-manager in its root names "},
		{"", map[string]string{"container": ""}, KnownFlag(false), "set empty"},
		{"dir", map[string]string{"container": ""}, Flag{}, "unreadable"},
		{strings.Repeat("a", maxContainerManager+1), map[string]string{"container": ""}, Flag{}, "unreadable"},
	} {
		dir := t.TempDir()
		pr := Proc{PID: 7, dir: dir}
		if err := os.MkdirAll(filepath.Join(dir, "root", "run", "host"), 0o755); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, "root", "run", "host", "container-manager")
		switch c.file {
		case "":
		case "dir":
			if err := os.Mkdir(f, 0o755); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(f, []byte(c.file), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		p := &Process{Env: c.env, Status: &Status{CapEff: Of(uint64(0))}}
		sd := readSystemdInit(pr, p)
		if sd.Container != c.want || !strings.Contains(sd.ContainerWhy, c.has) || strings.Contains(sd.ContainerWhy, "\x1b") {
			t.Errorf("file %q, env %q: container %v (%s); want %v, naming %q", c.file, c.env, sd.Container, sd.ContainerWhy, c.want, c.has)
		}
	}
	// A symlink to the host's own file stays inside the root.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "root", "run", "host"), 0o755); err != nil {
		t.Fatal(err)
	}
	host := filepath.Join(t.TempDir(), "manager")
	if err := os.WriteFile(host, []byte("outside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(host, filepath.Join(dir, "root", "run", "host", "container-manager")); err != nil {
		t.Fatal(err)
	}
	sd := readSystemdInit(Proc{PID: 7, dir: dir}, &Process{Env: map[string]string{"container": ""}, Status: &Status{CapEff: Of(uint64(0))}})
	if sd.Container != KnownFlag(false) || strings.Contains(sd.ContainerWhy, "outside") {
		t.Errorf("symlink out of the root followed: %v (%s)", sd.Container, sd.ContainerWhy)
	}
}

// TestLinkSystemdTree: the scan links every process below a systemd that
// sees a container, not only its children (issue 17 review: a unit's
// worker below its main process was never looked at, and a stop was
// predicted yes, exit 0), and says so when the tree is larger than it
// follows.
func TestLinkSystemdTree(t *testing.T) {
	proc := func(pid, ppid int) *Process {
		return &Process{PID: pid, Status: &Status{PPid: Of(ppid), State: 'S'}}
	}
	build := func(extra int) (*Snapshot, *Process, *Process) {
		sd, main := proc(100, 1), proc(101, 100)
		worker := proc(102, 101)
		grand := proc(103, 102)
		procs := []*Process{sd, main, worker, grand}
		for i := 0; i < extra; i++ {
			procs = append(procs, proc(200+i, 102))
		}
		sd.SystemdInit = &SystemdInit{Container: KnownFlag(true)}
		ns := &Namespace{ID: nsutil.NSID{Ino: 42}, Procs: procs, Init: sd}
		return &Snapshot{Processes: procs, Namespaces: []*Namespace{ns}}, sd, grand
	}
	snap, sd, grand := build(0)
	snap.linkSystemdTree(sd)
	if !sd.SystemdInit.Tree || len(sd.Children) != 1 || len(sd.Children[0].Children) != 1 || len(sd.Children[0].Children[0].Children) != 1 || sd.Children[0].Children[0].Children[0] != grand {
		t.Errorf("tree not linked below systemd's child: tree %v (%s)", sd.SystemdInit.Tree, sd.SystemdInit.TreeWhy)
	}
	snap, sd, _ = build(maxSystemdTree)
	snap.linkSystemdTree(sd)
	if sd.SystemdInit.Tree || !strings.Contains(sd.SystemdInit.TreeWhy, "more than 256") {
		t.Errorf("tree larger than the bound: tree %v (%s)", sd.SystemdInit.Tree, sd.SystemdInit.TreeWhy)
	}
}
