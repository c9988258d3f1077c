package procinspect

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// BusyboxInit is what a busybox init namespace init acts on besides the
// signal itself (busybox init/init.c): the actions of its /etc/inittab,
// which its signals run, and whether the reboot(2) its TERM, USR1, USR2
// and PWR end in can end its PID namespace (kernel/reboot.c,
// reboot_pid_ns: with CAP_SYS_BOOT in the user namespace that owns the
// PID namespace the kernel kills the namespace's init, which its parent
// sees as a death by SIGHUP for a reboot and by SIGINT for a halt or power
// off; without it reboot(2) fails with EPERM and init exits 0).
type BusyboxInit struct {
	// Absent reports that /etc/inittab does not exist inside the init's
	// root: busybox then uses its built-in actions (DefaultInittab).
	Absent bool
	// Single reports single-user mode (argv[1] "single", "-s" or "1"):
	// busybox then reads no inittab and runs a shell, nothing else.
	Single bool
	// Actions maps an action ("ctrlaltdel", "shutdown", "restart", …) to
	// its commands in file order, as busybox parses /etc/inittab (or its
	// built-in ones when Absent). Commands are raw: escape before showing.
	Actions map[string][]string
	// Err says why /etc/inittab is unknown ("" when it was read or is
	// absent).
	Err string
	// Boot reports whether reboot(2) from the init ends its namespace
	// (unknown when it cannot be told); BootWhy says how it was found, or
	// why it is unknown.
	Boot    Flag
	BootWhy string
}

// DefaultInittab is what busybox init does without /etc/inittab
// (init.c: parse_inittab).
var DefaultInittab = map[string][]string{
	"sysinit":    {"/etc/init.d/rcS"},
	"askfirst":   {"-/bin/sh"},
	"ctrlaltdel": {"reboot"},
	"shutdown":   {"umount -a -r", "swapoff -a"},
	"restart":    {"init"},
}

// maxInittab bounds the /etc/inittab read.
const maxInittab = 256 << 10

// capSysBoot is CAP_SYS_BOOT's bit in CapEff.
const capSysBoot = 22

// inittabActions are the action names busybox accepts, in its order.
var inittabActions = []string{"sysinit", "wait", "once", "respawn", "askfirst", "ctrlaltdel", "shutdown", "restart"}

// readBusyboxInit reads /etc/inittab inside the init's own root (openat2
// RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS, a regular file of at most
// maxInittab bytes) and works out whether its reboot(2) can end its
// namespace.
func readBusyboxInit(pr Proc, p *Process) *BusyboxInit {
	out := &BusyboxInit{}
	out.Boot, out.BootWhy = rebootEndsNamespace(pr, *p.Status)
	if len(p.Cmdline) > 1 {
		switch p.Cmdline[1] {
		case "single", "-s", "1":
			out.Single = true
			return out
		}
	}
	b, err := readInRoot(pr.path("root"), "/etc/inittab", maxInittab)
	switch {
	case errors.Is(err, syscall.ENOENT):
		out.Absent, out.Actions = true, DefaultInittab
	case err != nil:
		out.Err = "/etc/inittab (inside its root): " + reason(err)
	default:
		out.Actions = ParseInittab(b)
	}
	return out
}

// identifyInit is Identify for a namespace init whose executable was not
// read yet: the scan reads its files before its exe link, and Alpine's
// /sbin/init is busybox with the command line "init", which only the exe
// link tells apart (measured: busybox init as a container's /sbin/init
// was predicted without its inittab, "depends", and exited 0).
//
// same is the last reading of the same process when its executable is the
// same file (sameExe): the path that reading found stands, as reusable
// keeps it for the process's Deep.Exe, when the name the program runs
// under (Status.Name) is the same too.
func identifyInit(p *Process, pr Proc, same *Process) Program {
	if p.Deep != nil && p.Deep.Exe != "" {
		return Identify(p)
	}
	var exe string
	if same != nil && same.Deep.Exe != "" && same.Status.Name == p.Status.Name {
		exe = same.Deep.Exe
	} else {
		var err error
		if exe, err = os.Readlink(pr.path("exe")); err != nil {
			return Identify(p)
		}
	}
	q := *p
	q.Deep = &Deep{Exe: exe}
	return Identify(&q)
}

// ParseInittab reads inittab lines the way busybox's config_read does for
// init (PARSE_GREEDY|PARSE_EOL_COMMENTS, delimiters "#:"): a trailing
// backslash continues a line; '#' ends it; a line is
// id:runlevel:action:command, split on ':' into exactly four fields, the
// last taking the rest of the line. Lines busybox rejects (fewer fields,
// an unknown action, no command) are left out, as busybox leaves them.
func ParseInittab(b []byte) map[string][]string {
	out := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 4096), maxInittab+1)
	// The line being joined, grown in place: appending to a string copied
	// it whole for each continuation (quadratic in a file a container
	// writes).
	var line []byte
	for sc.Scan() {
		line = append(line, sc.Bytes()...)
		if n := len(line); n > 0 && line[n-1] == '\\' {
			line = line[:n-1]
			continue
		}
		l := string(line)
		line = line[:0]
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		f := strings.SplitN(l, ":", 4)
		if len(f) < 4 || f[3] == "" {
			continue
		}
		for _, a := range inittabActions {
			if f[2] == a {
				out[a] = append(out[a], f[3])
			}
		}
	}
	return out
}

// rebootEndsNamespace says whether reboot(2) from p ends its PID
// namespace: CAP_SYS_BOOT in its effective set, counted in the user
// namespace that owns the PID namespace (ns_capable(pid_ns->user_ns)).
// Only the case where p is in that very user namespace is decided. A
// seccomp filter could refuse reboot(2) whatever the capability says: under
// one, the container engines' default (allow it with CAP_SYS_BOOT) is
// assumed, and BootWhy says so.
func rebootEndsNamespace(pr Proc, st Status) (Flag, string) {
	if !st.CapEff.Known {
		return Flag{}, "its effective capabilities (CapEff) are unreadable"
	}
	has := st.CapEff.V&(1<<capSysBoot) != 0
	if !has {
		return KnownFlag(false), "CAP_SYS_BOOT is not in its effective capabilities (docker's default), so reboot(2) fails with EPERM"
	}
	same, err := ownsPIDNS(pr)
	switch {
	case err != nil:
		return Flag{}, "it has CAP_SYS_BOOT, but which user namespace owns its PID namespace is unknown: " + reason(err)
	case !same:
		return Flag{}, "it has CAP_SYS_BOOT, but in a user namespace other than the one that owns its PID namespace, where it may not count"
	case !st.Seccomp.Known || st.Seccomp.V == 2:
		return KnownFlag(true), "it has CAP_SYS_BOOT in the user namespace that owns its PID namespace; assumed: its seccomp filter allows reboot(2) to a process with CAP_SYS_BOOT, as docker's and podman's default profiles do"
	}
	return KnownFlag(true), "it has CAP_SYS_BOOT in the user namespace that owns its PID namespace and no seccomp filter"
}

// ownsPIDNS reports whether the process's user namespace owns its PID
// namespace (NS_GET_USERNS on ns/pid, Linux 4.9).
func ownsPIDNS(pr Proc) (bool, error) {
	fd, err := pr.openNS("ns/pid")
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	owner, err := unix.IoctlRetInt(fd, unix.NS_GET_USERNS)
	if err != nil {
		return false, fmt.Errorf("NS_GET_USERNS: %w", err)
	}
	defer unix.Close(owner)
	var o, u unix.Stat_t
	if err := unix.Fstat(owner, &o); err != nil {
		return false, err
	}
	if err := unix.Stat(pr.path("ns/user"), &u); err != nil {
		return false, err
	}
	return o.Dev == u.Dev && o.Ino == u.Ino, nil
}
