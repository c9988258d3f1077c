package procinspect

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// readFile reads a small /proc file whole: open, read and close, into a
// pooled buffer, and a copy of exactly what was read (os.ReadFile's stat,
// growing reads and poller registration cost more than the read itself
// for the dozen files a rescan reads per init).
func readFile(path string) ([]byte, error) {
	bp := statusBufs.Get().(*[]byte)
	defer statusBufs.Put(bp)
	b, err := readSmall(path, *bp, 0)
	if err != nil {
		return nil, err
	}
	keepBuf(bp, b)
	return bytes.Clone(b), nil
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

// maxStatus is the largest status file read. A real one is 1-2 KiB; its
// longest line, Groups, lists at most NGROUPS_MAX (65,536) groups, well
// under 1 MiB. A larger one is not a kernel's (a --proc tree, a FIFO's
// stream) and is refused, not read whole.
const maxStatus = 1 << 20

// errTooLarge is a file refused for its size.
type errTooLarge int

func (e errTooLarge) Error() string {
	return fmt.Sprintf("larger than %d KiB, which no kernel's file of this kind is: refused", int(e)>>10)
}

// readSmall reads a /proc file into buf with as few system calls as
// possible: open, read, close. A seq_file returns a short read only at its
// end, so a read that does not fill the buffer is the whole file. With
// limit > 0 a file of more than limit bytes is refused (errTooLarge)
// after limit+1 bytes were read.
func readSmall(path string, buf []byte, limit int) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	if limit > 0 && len(buf) > limit+1 {
		buf = buf[:limit+1]
	}
	n := 0
	for {
		if n == len(buf) {
			if limit > 0 && n > limit {
				return nil, &os.PathError{Op: "read", Path: path, Err: errTooLarge(limit)}
			}
			grow := len(buf)
			if limit > 0 {
				grow = min(grow, limit+1-len(buf))
			}
			buf = append(buf, make([]byte, grow)...)
		}
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		n += m
		if m == 0 || n < len(buf) {
			return buf[:n], nil
		}
	}
}

// ReadStatus reads and parses a status file (root/PID/status or a thread's).
// A file larger than maxStatus is refused.
func ReadStatus(path string) (Status, error) {
	bp := statusBufs.Get().(*[]byte)
	defer statusBufs.Put(bp)
	b, err := readSmall(path, *bp, maxStatus)
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
