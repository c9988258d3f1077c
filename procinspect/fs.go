package procinspect

import (
	"path/filepath"
	"strconv"

	"github.com/sigview/sigview/nsutil"
)

// DefaultRoot is the procfs read when none is named.
const DefaultRoot = "/proc"

// FS is a procfs to read, as prometheus/procfs's FS: where it is, and
// whether it is the kernel's own. A copy or a fixture is read the same way,
// but a missing file there means missing, not exited, and no process
// memory is read from it.
type FS struct {
	// Root is the mount point or the copy's directory.
	Root string
	// Live reports whether Root is a real procfs mount.
	Live bool
	// Mem reports whether process memory is read (for the sets threads
	// wait for in rt_sigtimedwait); never on a copy.
	Mem bool
}

// NewFS returns the procfs at root; "" means DefaultRoot. mem asks for
// process memory to be read where that is possible (a live procfs).
func NewFS(root string, mem bool) FS {
	if root == "" {
		root = DefaultRoot
	}
	live := nsutil.IsProcFS(root)
	return FS{Root: root, Live: live, Mem: mem && live}
}

// Proc is one process's directory in an FS, as procfs's Proc with its path.
type Proc struct {
	PID int
	fs  FS
	dir string
}

// Proc returns the directory of process pid.
func (fs FS) Proc(pid int) Proc {
	return Proc{PID: pid, fs: fs, dir: filepath.Join(fs.Root, strconv.Itoa(pid))}
}

// path names a file below the process's directory ("status", "ns/pid").
func (p Proc) path(name string) string { return p.dir + "/" + name }
