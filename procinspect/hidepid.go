package procinspect

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/sigview/sigview/nsutil"
)

// hidepid returns, for a live procfs whose hidepid mount option can hide
// processes from this reader, the warning that says so; "" otherwise. An
// unreadable mount table is a warning of its own: whether processes are
// hidden is then unknown. closed reports hidepid=1 (noaccess) for this
// reader: other users' processes are listed but cannot be read, so a
// process listed and read before may be unreadable now (its owner or
// dumpability changed) while the listing still names it.
func hidepid(root string, reader nsutil.Reader) (warning, unreadable string, closed bool) {
	m, err := nsutil.ProcMountOf(root)
	if err != nil {
		return "", reason(err), false
	}
	what := m.Hides(reader)
	if what == "" {
		return "", "", false
	}
	fix := "run as root (CAP_SYS_PTRACE)"
	if m.Hide != nsutil.HidePtraceable && m.GID != 0 {
		fix += " or as a member of group " + strconv.Itoa(m.GID) + " (the mount's gid=)"
	}
	opts := "hidepid=" + m.HidePID
	if m.SubsetPID {
		opts += ",subset=pid"
	}
	return fmt.Sprintf("this procfs (%s) is mounted with %s: %s; %s to see every process", m.MountPoint, opts, what, fix), "", m.Hide == nsutil.HideNoAccess
}

// Missing says why pid is not in the snapshot: it does not exist, or, on a
// procfs whose hidepid option hides processes from this reader, it may be
// hidden.
func (s *Snapshot) Missing(pid int) error {
	if tgid, ok := ThreadOf(s.Root, pid); ok {
		return fmt.Errorf("%d is a thread of process %d, not a process: a thread shares its process's signal handlers and namespace (explain %d lists its threads)", pid, tgid, tgid)
	}
	if s.Hidden != "" {
		return fmt.Errorf("PID %d is not in %s; it may exist but be hidden: %s", pid, s.Root, s.Hidden)
	}
	return fmt.Errorf("no such process in %s", s.Root)
}

// ThreadOf reports whether pid names a thread that is not its process's
// leader, and the process: /proc/TID exists though readdir does not list it.
func ThreadOf(root string, pid int) (tgid int, ok bool) {
	st, err := ReadStatus(filepath.Join(root, strconv.Itoa(pid), "status"))
	if err != nil || !st.Tgid.Known || st.Tgid.V == pid {
		return 0, false
	}
	return st.Tgid.V, true
}
