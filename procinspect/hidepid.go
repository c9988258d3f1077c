package procinspect

import (
	"fmt"
	"strconv"

	"github.com/sigview/sigview/nsutil"
)

// hidepid returns, for a live procfs whose hidepid mount option can hide
// processes from this reader, the warning that says so; "" otherwise. An
// unreadable mount table is a warning of its own: whether processes are
// hidden is then unknown.
func hidepid(root string, reader nsutil.Reader) (warning, unreadable string) {
	m, err := nsutil.ProcMountOf(root)
	if err != nil {
		return "", reason(err)
	}
	what := m.Hides(reader)
	if what == "" {
		return "", ""
	}
	fix := "run as root (CAP_SYS_PTRACE)"
	if m.Hide != nsutil.HidePtraceable && m.GID != 0 {
		fix += " or as a member of group " + strconv.Itoa(m.GID) + " (the mount's gid=)"
	}
	opts := "hidepid=" + m.HidePID
	if m.SubsetPID {
		opts += ",subset=pid"
	}
	return fmt.Sprintf("this procfs (%s) is mounted with %s: %s; %s to see every process", m.MountPoint, opts, what, fix), ""
}

// Missing says why pid is not in the snapshot: it does not exist, or, on a
// procfs whose hidepid option hides processes from this reader, it may be
// hidden.
func (s *Snapshot) Missing(pid int) error {
	if s.Hidden != "" {
		return fmt.Errorf("PID %d is not in %s; it may exist but be hidden: %s", pid, s.Root, s.Hidden)
	}
	return fmt.Errorf("no such process in %s", s.Root)
}
