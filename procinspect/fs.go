package procinspect

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/sigview/sigview/nsutil"
	"golang.org/x/sys/unix"
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
	// refusals collects the files refused for their type or size (see
	// readOpen), which the scan reports as warnings; nil: not collected.
	refusals *refusals
}

// refusals are the files a scan refused, each once, in the order met.
type refusals struct {
	mu   sync.Mutex
	seen map[string]bool
	list []string
}

// note records err when it refuses a file (refused).
func (fs FS) note(err error) {
	if fs.refusals == nil || err == nil || !refused(err) {
		return
	}
	why := err.Error()
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		why = Printable(pe.Path) + ": " + pe.Err.Error()
	}
	r := fs.refusals
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seen[why] {
		r.seen[why] = true
		r.list = append(r.list, why)
	}
}

// refusedFiles returns the refusals noted so far.
func (fs FS) refusedFiles() []string {
	if fs.refusals == nil {
		return nil
	}
	fs.refusals.mu.Lock()
	defer fs.refusals.mu.Unlock()
	return append([]string(nil), fs.refusals.list...)
}

// NewFS returns the procfs at root; "" means DefaultRoot. mem asks for
// process memory to be read where that is possible (a live procfs).
func NewFS(root string, mem bool) FS {
	if root == "" {
		root = DefaultRoot
	}
	live := nsutil.IsProcFS(root)
	return FS{Root: root, Live: live, Mem: mem && live, refusals: &refusals{seen: map[string]bool{}}}
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

// read reads the file name below the process's directory, at most limit
// bytes (readFile); a refused file is noted for the scan's warnings.
func (p Proc) read(name string, limit int) ([]byte, error) {
	b, err := readFile(p.path(name), limit, p.fs.Live)
	p.fs.note(err)
	return b, err
}

// readStatus reads and parses the status file name ("status",
// "task/TID/status") below the process's directory.
func (p Proc) readStatus(name string) (Status, error) {
	st, err := readStatus(p.path(name), p.fs.Live)
	p.fs.note(err)
	return st, err
}

// openNS opens a namespace file below the process's directory ("ns/pid")
// for an ioctl: plainly on a live procfs (an nsfs file), and in a --proc
// tree only if it is a regular file (openRegular: a FIFO there would block
// the open, a device's would run its driver).
func (p Proc) openNS(name string) (int, error) {
	if p.fs.Live {
		return unix.Open(p.path(name), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	}
	return openRegularFD(p.path(name))
}
