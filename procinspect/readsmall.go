package procinspect

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// The largest file of each kind read from a procfs. A file larger than its
// bound is refused, not read whole; each bound is far above what a kernel
// writes but for environ (maxEnviron, sigview's own) and a cmdline whose
// argument area was moved (PR_SET_MM_ARG_START).
const (
	// maxStatus: a real status is 1-2 KiB; its longest line, Groups, lists
	// at most NGROUPS_MAX (65,536) groups, well under 1 MiB.
	maxStatus = 1 << 20
	// maxLine bounds the one-line files: stat (52 numbers of at most 20
	// digits and a comm of at most 64 bytes: under 1.2 KiB), schedstat
	// (3 numbers), wchan (one symbol, KSYM_NAME_LEN 512), syscall (9
	// numbers), a signalfd's fdinfo (5 short lines) and sys/kernel/pid_max.
	maxLine = 64 << 10
	// maxCgroup: one line per cgroup hierarchy, each path at most
	// PATH_MAX (4 KiB: proc_cgroup_show fails a longer one) with its
	// controllers' names; cgroup v2 has one line, v1 a few dozen.
	maxCgroup = 1 << 20
	// maxCmdline: execve copies at most _STK_LIM/4*3 = 6 MiB of argv and
	// environment together (fs/exec.c, whatever RLIMIT_STACK), and
	// cmdline shows at most the argument area and, when a process
	// overwrote its end, the environment after it.
	maxCmdline = 6 << 20
	// maxMaps: vm.max_map_count (65,530 by default) lines of at most a
	// PATH_MAX path and 100 bytes more, read as a stream (readJVM).
	maxMaps = 256 << 20
)

// readFile reads a small file of the procfs (live tells a kernel's from a
// --proc tree: readOpen) whole: open, read and close, into a pooled
// buffer, and a copy of exactly what was read (os.ReadFile's stat, growing
// reads and poller registration cost more than the read itself for the
// dozen files a rescan reads per init). A file larger than limit is
// refused (errTooLarge).
func readFile(path string, limit int, live bool) ([]byte, error) {
	bp := statusBufs.Get().(*[]byte)
	defer statusBufs.Put(bp)
	b, err := readSmall(path, *bp, limit, live)
	if err != nil {
		return nil, err
	}
	keepBuf(bp, b)
	return bytes.Clone(b), nil
}

// readHook, when set (by tests), is told the path of every file and
// directory a scan reads (readSmall, listEntries): what a rescan costs is
// counted with it.
var readHook atomic.Pointer[func(path string)]

func noteRead(path string) {
	if f := readHook.Load(); f != nil {
		(*f)(path)
	}
}

// statusBufs recycles the buffers status files are read into: a scan reads
// one per process, and most of a scan's cost is this read.
var statusBufs = sync.Pool{New: func() any { b := make([]byte, 4096); return &b }}

// maxPooled is the largest buffer statusBufs keeps: a larger read (a
// forged file in a --proc tree) is not pinned for the life of the pool.
const maxPooled = 1 << 20

// keepBuf makes b, grown from *bp by a read, the buffer *bp's pool keeps,
// unless it is larger than maxPooled.
func keepBuf(bp *[]byte, b []byte) {
	if cap(b) > cap(*bp) && cap(b) <= maxPooled {
		*bp = b[:cap(b)]
	}
}

// errTooLarge is a file refused for its size: larger than sigview reads
// for a file of its kind. (Not always more than a kernel can write: an
// environment may be 6 MiB, a cmdline whose argument area was moved with
// PR_SET_MM_ARG_START any size.)
type errTooLarge int

func (e errTooLarge) Error() string {
	size := fmt.Sprintf("%d KiB", int(e)>>10)
	if int(e)%(1<<20) == 0 {
		size = fmt.Sprintf("%d MiB", int(e)>>20)
	}
	return "larger than sigview reads for this file (" + size + "): refused"
}

// errNotRegular is a file refused for its type (its S_IFMT bits): a
// procfs file is a regular file; a FIFO, a socket or a device in its
// place would block a read or run a driver's code, and a directory or a
// symlink is not the file.
type errNotRegular uint32

func (e errNotRegular) Error() string {
	kind := "of file type 0" + strconv.FormatUint(uint64(e)>>12, 8)
	switch uint32(e) {
	case unix.S_IFIFO:
		kind = "a FIFO"
	case unix.S_IFSOCK:
		kind = "a socket"
	case unix.S_IFCHR:
		kind = "a character device"
	case unix.S_IFBLK:
		kind = "a block device"
	case unix.S_IFDIR:
		kind = "a directory"
	case unix.S_IFLNK:
		kind = "a symlink"
	}
	return kind + ", not a regular file: refused"
}

// refused reports whether err is a file sigview would not read for its
// type or size (not one that is missing or closed to it).
func refused(err error) bool {
	var big errTooLarge
	var typ errNotRegular
	return errors.As(err, &big) || errors.As(err, &typ)
}

// readOpen opens path for reading without ever blocking or running a
// driver's open. On a live procfs (live) every file below a process's
// directory is the kernel's regular file, read through a plain open with
// O_NONBLOCK (no fstat: this is the scan's hot path). In a --proc tree a
// person named, anything can stand there: the path is opened O_PATH
// without following a symlink in its last component (one higher up, a
// symlinked PID directory or task/, is followed), its type checked, and
// only a regular file opened for reading (reopenRegularFD, which needs
// sigview's own /proc: checkSelfFD). O_NONBLOCK either way, so that
// nothing that slips through (a FIFO swapped in) blocks the scan.
func readOpen(path string, live bool) (int, error) {
	if live {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
	return openRegularAt(path, unix.O_NOFOLLOW)
}

// readSmall reads a /proc file into buf with as few system calls as
// possible: open, read, close. A seq_file returns a short read only at its
// end, so a read that does not fill the buffer is the whole file. A file
// of more than limit bytes is refused (errTooLarge) after limit+1 bytes
// were read.
func readSmall(path string, buf []byte, limit int, live bool) ([]byte, error) {
	noteRead(path)
	fd, err := readOpen(path, live)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	if len(buf) > limit+1 {
		buf = buf[:limit+1]
	}
	n := 0
	for {
		if n == len(buf) {
			if n > limit {
				return nil, &os.PathError{Op: "read", Path: path, Err: errTooLarge(limit)}
			}
			grow := min(len(buf), limit+1-len(buf))
			buf = append(buf, make([]byte, grow)...)
		}
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			// EAGAIN included: a procfs file never gives it, so what
			// did is no file of the kernel's.
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		n += m
		if m == 0 || n < len(buf) {
			return buf[:n], nil
		}
	}
}

// ReadStatus reads and parses a status file (root/PID/status or a thread's)
// of any procfs, live or a --proc tree (a non-regular file is refused,
// as readOpen does for a tree). A file larger than maxStatus is refused.
func ReadStatus(path string) (Status, error) { return readStatus(path, false) }

// readStatus is ReadStatus for a procfs known to be live or not.
func readStatus(path string, live bool) (Status, error) {
	bp := statusBufs.Get().(*[]byte)
	defer statusBufs.Put(bp)
	b, err := readSmall(path, *bp, maxStatus, live)
	if err != nil {
		return Status{}, err
	}
	keepBuf(bp, b)
	s, err := ParseStatus(b)
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// openRegular opens path, following symlinks (an exe link), only if it is
// a regular file (reopenRegularFD): a --proc tree's link to a FIFO or a
// device is refused, not opened.
func openRegular(path string) (*os.File, error) {
	fd, err := openRegularFD(path)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

// openRegularFD is openRegular's descriptor.
func openRegularFD(path string) (int, error) { return openRegularAt(path, 0) }

// openRegularAt opens path with O_PATH and flags (O_NOFOLLOW: the last
// component must not be a symlink) and reopens it for reading only if it is
// a regular file (reopenRegularFD).
func openRegularAt(path string, flags int) (int, error) {
	pfd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC|flags, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: path, Err: err}
	}
	fd, err := reopenRegularFD(pfd)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return fd, nil
}

// StartTime reads field 22 (starttime) of root/PID/stat, refusing what
// no kernel's stat is (readOpen as for a --proc tree, maxLine).
func StartTime(root string, pid int) (uint64, error) {
	b, err := readFile(root+"/"+strconv.Itoa(pid)+"/stat", maxLine, false)
	if err != nil {
		return 0, err
	}
	return ParseStartTime(b)
}
