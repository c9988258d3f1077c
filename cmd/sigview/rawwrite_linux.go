package main

import (
	"errors"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawWriter writes to a blocking descriptor with raw write(2) calls, which
// do not enter the Go scheduler: a write through os.File enters a system
// call the runtime's way, which wakes the runtime's monitor thread (sysmon)
// from its sleep, and it then polls every 20 µs while watch works, for a
// write once a poll in a storm (a third of watch's wakeups, measured with
// internal/stormbench). Only for a pipe or a regular file in blocking
// mode (see rawStdout).
//
// A raw write never blocks: a raw write that blocked would hold watch's
// one P (GOMAXPROCS 1), so that the signal that stops watch would not be
// handled and its BPF programs would stay attached, running in every
// kill(), for as long as nobody read stdout (a pager not scrolling, a
// terminal stopped with Ctrl-S). So a raw write is made only when a
// poll(2) that does not wait says the descriptor takes data (or has an
// error to say), and it is at most rawChunk bytes, which a pipe that takes
// data takes whole (PIPE_BUF: one free slot holds it). Otherwise the
// writer waits in ppoll(2) entered the runtime's way (its P goes to other
// goroutines: the signal is handled and the recorder closed) until the
// descriptor takes data or the write deadline passes (os.ErrDeadlineExceeded,
// as os.File says it). EAGAIN (the description made non-blocking by
// another process sharing it) waits the same way. Any other error but
// EINTR (EPIPE, ...) hands the rest to f's own Write, so that errors are
// what they were (a closed pipe on stdout ends sigview by SIGPIPE, as
// os.File does).
type rawWriter struct {
	f  *os.File
	fd uintptr
	// deadline, in Unix nanoseconds (0: none), bounds a wait for the
	// descriptor to take data, not a write that goes on.
	deadline atomic.Int64
	// raw: writes are raw write(2) calls (a pipe or a regular file);
	// otherwise os.File's Write, in a goroutine of its own (fileWrite).
	raw bool
	// pending is a write through f abandoned at the deadline, not yet
	// returned (not raw only).
	pending chan fileResult
}

type fileResult struct {
	n   int
	err error
}

// fileWrite writes a copy of b with f's Write in a goroutine and waits for
// it until the deadline: a terminal or a socket that polls writable can
// still block a write of any size, so the write may block (its thread in
// the kernel, the P released); at the deadline the write is abandoned
// with os.ErrDeadlineExceeded (and the copy: b is the caller's again).
// Its bytes may yet be written, so every later Write fails the same way.
func (w *rawWriter) fileWrite(b []byte) (int, error) {
	if w.pending != nil {
		return 0, os.ErrDeadlineExceeded
	}
	c := make(chan fileResult, 1)
	p := append([]byte(nil), b...)
	go func() {
		n, err := w.f.Write(p)
		c <- fileResult{n, err}
	}()
	t := time.NewTimer(waitSlice)
	defer t.Stop()
	for {
		select {
		case r := <-c:
			return r.n, r.err
		case <-t.C:
		}
		slice := waitSlice
		if d := w.deadline.Load(); d != 0 {
			left := time.Until(time.Unix(0, d))
			if left <= 0 {
				w.pending = c
				return 0, os.ErrDeadlineExceeded
			}
			slice = min(slice, left)
		}
		t.Reset(slice)
	}
}

// rawChunk is the most one raw write writes: PIPE_BUF, which a pipe that
// polls writable takes without blocking.
const rawChunk = 4096

// waitSlice is the longest one ppoll waits: how soon a wait notices a
// deadline set while it waited.
const waitSlice = 100 * time.Millisecond

// rawStdout returns w as a *rawWriter when it is a pipe (FIFO) or a
// regular file in blocking mode (read through SyscallConn: f.Fd would make
// a non-blocking one blocking). Only there does "poll says writable" mean
// that a write of at most rawChunk bytes does not block: a pipe that polls
// writable has a free slot, which takes PIPE_BUF bytes whole; a regular
// file is always writable. A terminal polls writable with any room at all
// and a blocking write then waits for room for all of it; a socket polls
// writable with a fraction of its send buffer free: a raw write there
// could block holding the one P (a 4096-byte write to a pty nobody reads
// does: TestRawStdoutKinds). Terminals, sockets and the rest in blocking
// mode are written with os.File's Write, which releases the P while it
// blocks, in a goroutine the deadline can abandon (fileWrite): watch still
// ends on a signal while nobody reads. Their rate makes the sysmon saving
// moot.
func rawStdout(w io.Writer) io.Writer {
	f, ok := w.(*os.File)
	if !ok {
		return w
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return w
	}
	raw := &rawWriter{f: f}
	blocking := false
	if rc.Control(func(fd uintptr) {
		fl, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		var st unix.Stat_t
		if err == nil {
			err = unix.Fstat(int(fd), &st)
		}
		kind := st.Mode & unix.S_IFMT
		raw.fd, blocking = fd, err == nil && fl&unix.O_NONBLOCK == 0
		raw.raw = kind == unix.S_IFIFO || kind == unix.S_IFREG
	}) != nil || !blocking {
		return w
	}
	return raw
}

// SetWriteDeadline bounds how long a Write waits for the descriptor to
// take data, from now on and in a Write waiting already; the zero time
// removes the bound.
func (w *rawWriter) SetWriteDeadline(t time.Time) error {
	var ns int64
	if !t.IsZero() {
		ns = max(t.UnixNano(), 1)
	}
	w.deadline.Store(ns)
	return nil
}

func (w *rawWriter) Write(b []byte) (int, error) {
	fd := w.fd
	n := 0
	if !w.raw {
		for n < len(b) {
			m, err := w.fileWrite(b[n:])
			n += m
			if errors.Is(err, syscall.EAGAIN) {
				err = w.wait()
			}
			if err != nil {
				return n, err
			}
		}
		return n, nil
	}
	for n < len(b) {
		if !w.ready() {
			if err := w.wait(); err != nil {
				return n, err
			}
			continue
		}
		m, _, e := unix.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[n])), uintptr(min(len(b)-n, rawChunk)))
		switch {
		case e == 0 && m > 0:
			n += int(m)
		case e == unix.EINTR:
		case e == unix.EAGAIN:
			if err := w.wait(); err != nil {
				return n, err
			}
		default:
			k, err := w.f.Write(b[n:])
			return n + k, err
		}
	}
	return n, nil
}

// ready reports whether a write would not block: the descriptor takes
// data, or has an error a write would return (a pipe with no reader, a
// terminal hung up). A ppoll(2) with a zero timeout, raw (it does not
// wait). A ppoll that fails (ENOMEM) says not ready: wait then polls the
// runtime's way and returns the error if it persists.
func (w *rawWriter) ready() bool {
	pfd := unix.PollFd{Fd: int32(w.fd), Events: unix.POLLOUT}
	var ts unix.Timespec
	for {
		r, _, e := unix.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		return e == 0 && r == 1 && pfd.Revents != 0
	}
}

// wait waits, in ppoll(2) entered the runtime's way, until the descriptor
// takes data or has an error, or the deadline passes.
func (w *rawWriter) wait() error {
	for {
		slice := waitSlice
		if d := w.deadline.Load(); d != 0 {
			left := time.Until(time.Unix(0, d))
			if left <= 0 {
				return os.ErrDeadlineExceeded
			}
			slice = min(slice, left)
		}
		pfd := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLOUT}}
		ts := unix.NsecToTimespec(int64(slice))
		n, err := unix.Ppoll(pfd, &ts, nil)
		switch {
		case err == unix.EINTR || (err == nil && n == 0):
		case err != nil:
			return &os.PathError{Op: "poll", Path: w.f.Name(), Err: err}
		default:
			return nil
		}
	}
}
