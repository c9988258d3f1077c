package nsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// InitialPIDNSInode is the inode of the kernel's initial PID namespace
// (PROC_PID_INIT_INO in include/linux/proc_ns.h). It is fixed: the host's
// PID namespace always has it.
const InitialPIDNSInode = 4026531836

// NSID identifies a namespace: the device and inode of its nsfs file. Dev is
// 0 when the identity came from a readlink ("pid:[INODE]") rather than stat.
//
// When the inode cannot be read (another user's ns/pid link is not
// readable) but the namespace's init is known from NSpid, Ino is 0 and Init
// is the init's PID as the procfs being read names it: the namespace is
// "the one whose init is PID Init". That identity is stable while the init
// lives (the namespace dies with it), and it is never an inode: use
// HasInode before reading Ino, and String to show either.
type NSID struct {
	Dev uint64
	Ino uint64
	// Init is the PID of the namespace's init when Ino is unknown; 0 otherwise.
	Init int
}

// ByInit returns the identity of the PID namespace whose init is PID pid in
// the procfs being read, for a namespace whose inode is unknown.
func ByInit(pid int) NSID { return NSID{Init: pid} }

// IsZero reports whether id identifies nothing: neither the inode nor the
// init is known.
func (id NSID) IsZero() bool { return id.Ino == 0 && id.Init == 0 }

// HasInode reports whether the inode is known (read from ns/pid, or
// inferred from a process whose ns/pid was read).
func (id NSID) HasInode() bool { return id.Ino != 0 }

// IsInitial reports whether id is the kernel's initial PID namespace. It is
// false when the inode is unknown: ask HasInode to tell "no" from "unknown".
func (id NSID) IsInitial() bool { return id.Ino == InitialPIDNSInode }

// String renders the inode, the number lsns and ps -o pidns print; "init
// PID N" for a namespace known only by its init; "unknown" for the zero
// value. It never renders an unknown inode as a number.
func (id NSID) String() string {
	switch {
	case id.Ino != 0:
		return strconv.FormatUint(id.Ino, 10)
	case id.Init != 0:
		return "init PID " + strconv.Itoa(id.Init)
	}
	return "unknown"
}

// Same reports whether a and b are the same namespace. A readlink identity
// (Dev 0) compares by inode alone: nsfs has a single superblock. Two
// identities by init are the same when the init is; an identity by inode
// and one by init are not known to be the same, so Same is false.
func (id NSID) Same(o NSID) bool {
	if id.Ino == 0 || o.Ino == 0 {
		return id.Ino == 0 && o.Ino == 0 && id.Init != 0 && id.Init == o.Init
	}
	if id.Ino != o.Ino {
		return false
	}
	return id.Dev == 0 || o.Dev == 0 || id.Dev == o.Dev
}

// PIDNS returns the identity of the PID namespace of process pid as seen in
// the procfs at root. On a real procfs (live true) it stats the nsfs file;
// elsewhere it parses the symlink target "pid:[INODE]".
func PIDNS(root string, pid int, live bool) (NSID, error) {
	return ParsePath(filepath.Join(root, strconv.Itoa(pid), "ns", "pid"), live)
}

// ParsePath returns the identity of the PID namespace file at path (for
// example /proc/self/ns/pid).
func ParsePath(path string, live bool) (NSID, error) {
	if live {
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			return NSID{}, &os.PathError{Op: "stat", Path: path, Err: err}
		}
		return NSID{Dev: uint64(st.Dev), Ino: st.Ino}, nil
	}
	target, err := os.Readlink(path)
	if err != nil {
		return NSID{}, err
	}
	id, err := ParseLink(target)
	if err != nil {
		return NSID{}, fmt.Errorf("%s: %w", path, err)
	}
	return id, nil
}

// ErrNotPIDNS is returned for an ns link that does not name a PID namespace.
var ErrNotPIDNS = errors.New("not a pid namespace link")

// ParseLink parses a PID namespace link target, "pid:[4026531836]".
func ParseLink(target string) (NSID, error) {
	rest, ok := strings.CutPrefix(target, "pid:[")
	if !ok || !strings.HasSuffix(rest, "]") {
		return NSID{}, fmt.Errorf("%w: %q", ErrNotPIDNS, target)
	}
	ino, err := strconv.ParseUint(strings.TrimSuffix(rest, "]"), 10, 64)
	if err != nil || ino == 0 {
		return NSID{}, fmt.Errorf("%w: %q", ErrNotPIDNS, target)
	}
	return NSID{Ino: ino}, nil
}
