package procinspect

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// SystemdInit is what a systemd namespace init's stop depends on besides
// the signal: whether systemd believes it runs in a container, whether the
// reboot(2) its shutdown ends in can end its PID namespace, and whether
// every process below it was linked.
//
// systemd decides "container" in detect_container (src/basic/virt.c, the
// same order since 248; checked against Debian's 252 build): first
// /proc/vz without /proc/bc (OpenVZ), a kernel release naming Microsoft or
// WSL, a tracer named proot, then the first line of
// /run/host/container-manager (any non-empty value: a container), and only
// then, as PID 1, the variable `container` in its own environment (empty:
// no container; any value: a container, podman sets "podman"); unset, it
// looks at files and cgroup namespaces, which sigview does not follow. In a
// container its shutdown (src/shutdown/shutdown.c) calls reboot(2) and,
// refused for want of CAP_SYS_BOOT, exits 0; allowed, the kernel kills it
// (reboot_pid_ns). Believing it runs on no container, a refused reboot(2)
// ends in "Critical error" and freeze(): it never exits. Its crash handler
// (src/core/main.c, freeze_or_exit_or_reboot) exits 255 in a container and
// freezes elsewhere.
type SystemdInit struct {
	// Container reports whether systemd sees a container: known only when
	// `container` is set in its environment. ContainerWhy says how it was
	// found, or why it is unknown.
	Container    Flag
	ContainerWhy string
	// Boot reports whether reboot(2) from the init ends its namespace (as
	// for busybox init, rebootEndsNamespace); BootWhy says how.
	Boot    Flag
	BootWhy string
	// Tree reports that every process below systemd in its namespace is
	// linked (each one's Children, statuses only), which is what its units'
	// stops signal (KillMode=control-group); TreeWhy says why not. Set by
	// the scan for a systemd that sees a container (linkSystemdTree).
	Tree    bool
	TreeWhy string
}

// maxSystemdTree bounds the processes linked below a systemd init.
const maxSystemdTree = 256

// maxContainerManager bounds /run/host/container-manager (one line).
const maxContainerManager = 4096

// readSystemdInit works out, for a systemd namespace init, what its stop
// depends on, from the `container` variable the scan kept (readInitEnv)
// and its capabilities.
func readSystemdInit(pr Proc, p *Process) *SystemdInit {
	out := &SystemdInit{}
	out.Boot, out.BootWhy = rebootEndsNamespace(pr, *p.Status)
	out.Container, out.ContainerWhy = systemdContainer(pr, p)
	out.TreeWhy = "the processes below its children were not linked"
	return out
}

// systemdContainer follows detect_container (src/basic/virt.c) as far as
// sigview can see what systemd saw when it started: the checks before
// /run/host/container-manager (OpenVZ, WSL, proot) make it unknown, the
// file (read inside the init's root) decides when it has a first line,
// then the `container` variable the scan kept (readInitEnv).
func systemdContainer(pr Proc, p *Process) (Flag, string) {
	if _, err := os.Stat("/proc/vz"); err == nil {
		return Flag{}, "whether systemd sees a container is unknown: this kernel has /proc/vz (OpenVZ), which systemd checks first"
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		if rel := unix.ByteSliceToString(u.Release[:]); strings.Contains(rel, "Microsoft") || strings.Contains(rel, "WSL") {
			return KnownFlag(true), "systemd sees a container (WSL): the kernel release names Microsoft or WSL (" + Printable(rel) + ")"
		}
	}
	if p.Status.TracerPid.Known && p.Status.TracerPid.V != 0 {
		return Flag{}, "whether systemd sees a container is unknown: it is traced, and systemd takes a tracer named proot for a container"
	}
	b, err := readInRoot(pr.path("root"), "/run/host/container-manager", maxContainerManager)
	switch {
	case err == nil:
		// systemd's read_one_line_file returns the bytes it consumed: any
		// content, even a lone newline, is a container (an empty name is
		// container-other); only an empty file falls through.
		if len(b) > 0 {
			line, _, _ := strings.Cut(string(b), "\n")
			return KnownFlag(true), "systemd sees a container: /run/host/container-manager in its root names " + Printable(line) + " (systemd reads it before `container`)"
		}
	case !errors.Is(err, fs.ErrNotExist):
		return Flag{}, "whether systemd sees a container is unknown: /run/host/container-manager in its root, which systemd reads first, is unreadable: " + reason(err)
	}
	v, set := p.Env["container"]
	switch {
	case p.Env == nil:
		return Flag{}, "whether systemd sees a container is unknown: its environment was not read (" + p.EnvErr + ")"
	case !set:
		return Flag{}, "whether systemd sees a container is unknown: `container` is not set in its environment (nor /run/host/container-manager in its root), so systemd looks at files and cgroup namespaces, which sigview does not follow"
	case v == "":
		return KnownFlag(false), "`container` is set empty in its environment (and no /run/host/container-manager in its root): systemd believes it runs on no container"
	}
	return KnownFlag(true), "systemd sees a container (`container=" + Printable(v) + "` in its environment)"
}

// linkSystemdTree links every process below a systemd init that sees a
// container (statuses only, at most maxSystemdTree): a unit's stop signals
// all of its processes, not only systemd's children.
func (s *Snapshot) linkSystemdTree(p *Process) {
	sd := p.SystemdInit
	n, level := 0, []*Process{p}
	for len(level) > 0 {
		var next []*Process
		for _, q := range level {
			q = s.own(q) // share.go
			q.Children = s.childrenOf(q)
			if n += len(q.Children); n > maxSystemdTree {
				sd.Tree, sd.TreeWhy = false, fmt.Sprintf("more than %d processes run below it and were not all read", maxSystemdTree)
				return
			}
			next = append(next, q.Children...)
		}
		level = next
	}
	sd.Tree, sd.TreeWhy = true, ""
}

// readsChildren reports whether the scan reads p's children in depth: a
// forwarder's and a supervisor's (Program.ReadsChildren), but systemd's
// only when it sees a container: elsewhere its halt is the machine's, and
// its children decide nothing sigview predicts.
func readsChildren(p *Process) bool {
	pg := Identify(p)
	if pg == ProgSystemd {
		return p.SystemdInit != nil && p.SystemdInit.Container.Known && p.SystemdInit.Container.V
	}
	return pg.ReadsChildren()
}
