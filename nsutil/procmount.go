package nsutil

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ProcMount holds the options of a procfs mount that decide which processes
// it shows (proc(5), "Mount options"; fs/proc/root.c).
type ProcMount struct {
	// MountPoint is where the procfs is mounted.
	MountPoint string
	// HidePID is the hidepid option as mounted ("2", "invisible", …); ""
	// when absent.
	HidePID string
	// Hide is HidePID as a mode: HideOff, HideNoAccess, HideInvisible or
	// HidePtraceable.
	Hide int
	// GID is the group exempt from hidepid (gid=); 0 when not given, which
	// the kernel also treats as a group (root's).
	GID int
	// SubsetPID reports subset=pid: only the process directories are shown.
	SubsetPID bool
}

// The hidepid modes, as the kernel numbers them (enum proc_hidepid).
const (
	HideOff        = 0
	HideNoAccess   = 1 // other users' /proc/PID directories are listed but closed
	HideInvisible  = 2 // other users' /proc/PID directories are not listed
	HidePtraceable = 4 // only processes the reader may ptrace are listed
)

var hideModes = map[string]int{"0": HideOff, "off": HideOff, "1": HideNoAccess, "noaccess": HideNoAccess,
	"2": HideInvisible, "invisible": HideInvisible, "4": HidePtraceable, "ptraceable": HidePtraceable}

// ProcMountOf finds the procfs mounted at root (or containing it) in the
// caller's /proc/self/mountinfo, by device number. It fails when root is
// not a procfs, or its mount is not listed.
func ProcMountOf(root string) (ProcMount, error) {
	var st unix.Stat_t
	if err := unix.Stat(root, &st); err != nil {
		return ProcMount{}, &os.PathError{Op: "stat", Path: root, Err: err}
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ProcMount{}, err
	}
	abs, err := filepath.Abs(root)
	if err == nil {
		if p, err := filepath.EvalSymlinks(abs); err == nil {
			abs = p
		}
	}
	return FindProcMount(b, unix.Major(st.Dev), unix.Minor(st.Dev), abs)
}

// FindProcMount returns the procfs mount with device major:minor in the text
// of a mountinfo file (proc_pid_mountinfo(5)). A procfs may be mounted in
// several places; the options are its superblock's, the same in each, and
// the entry mounted at path (else the last listed) is returned.
func FindProcMount(mountinfo []byte, major, minor uint32, path string) (ProcMount, error) {
	dev := fmt.Sprintf("%d:%d", major, minor)
	var found *ProcMount
	for line := range bytes.SplitSeq(mountinfo, []byte{'\n'}) {
		pre, post, ok := strings.Cut(string(line), " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 6 || len(g) < 3 || f[2] != dev || g[0] != "proc" {
			continue
		}
		m := parseProcOptions(g[2])
		m.MountPoint = unescapeMountinfo(f[4])
		if found == nil || found.MountPoint != path {
			found = &m
		}
	}
	if found == nil {
		return ProcMount{}, fmt.Errorf("no procfs with device %s in mountinfo", dev)
	}
	return *found, nil
}

// parseProcOptions reads the super options of a procfs ("rw,hidepid=invisible,gid=27").
func parseProcOptions(opts string) ProcMount {
	var m ProcMount
	for o := range strings.SplitSeq(opts, ",") {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "hidepid":
			m.HidePID = v
			if mode, ok := hideModes[v]; ok {
				m.Hide = mode
			} else {
				// An unknown mode: assume it hides, and say it as mounted.
				m.Hide = HideInvisible
			}
		case "gid":
			if n, err := strconv.Atoi(v); err == nil {
				m.GID = n
			}
		case "subset":
			m.SubsetPID = v == "pid"
		}
	}
	return m
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of a
// mountinfo path.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Reader is who reads a procfs, as far as hidepid cares.
type Reader struct {
	// Ptrace reports CAP_SYS_PTRACE in the effective set, in the initial
	// user namespace (ptrace_may_access then lets every process through).
	Ptrace bool
	// Groups lists the filesystem GID and the supplementary groups.
	Groups []int
}

// Self describes the calling process as a procfs reader.
func Self() Reader {
	r := Reader{Groups: []int{os.Getegid()}}
	if gs, err := unix.Getgroups(); err == nil {
		r.Groups = append(r.Groups, gs...)
	}
	var data [2]unix.CapUserData
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	if err := unix.Capget(&hdr, &data[0]); err == nil {
		r.Ptrace = data[unix.CAP_SYS_PTRACE/32].Effective&(1<<(unix.CAP_SYS_PTRACE%32)) != 0 && initialUserNS()
	}
	return r
}

// initialUserNS reports whether the caller is in the initial user
// namespace: its uid_map maps every ID to itself.
func initialUserNS() bool {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295"
}

// Hides reports whether the mount can hide processes from r, and which:
// "" when it hides none of them.
func (m ProcMount) Hides(r Reader) string {
	if m.Hide == HideOff || r.Ptrace {
		return ""
	}
	if m.Hide != HidePtraceable && slices.Contains(r.Groups, m.GID) {
		return ""
	}
	switch m.Hide {
	case HideNoAccess:
		return "other users' processes are listed but cannot be read"
	case HidePtraceable:
		return "processes sigview may not ptrace (other users') are hidden"
	}
	return "other users' processes are hidden"
}
