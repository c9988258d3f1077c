package main

import (
	"io"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawWriter writes to a blocking descriptor with raw write(2) calls, which
// do not enter the Go scheduler: a write through os.File enters a system
// call the runtime's way, which wakes the runtime's monitor thread (sysmon)
// from its sleep, and it then polls every 20 µs while watch works, for a
// write once a poll in a storm (a third of watch's wakeups, measured with
// internal/stormbench). Only for a descriptor in blocking mode.
//
// A raw write never blocks: a raw write that blocked would hold watch's
// one P (GOMAXPROCS 1), so that the signal that stops watch would not be
// handled and its BPF programs would stay attached, running in every
// kill(), for as long as nobody read stdout (a pager not scrolling, a
// terminal stopped with Ctrl-S). So a raw write is made only when a
// poll(2) that does not wait says the descriptor takes data, and it is at
// most rawChunk bytes, which a pipe that takes data takes whole (PIPE_BUF:
// one free slot holds it). Otherwise the rest goes to f's own Write, which
// enters the system call the runtime's way: its P goes to other goroutines
// while it blocks. Any error but EINTR (EPIPE, ...) hands the rest to f's
// own Write too, so that errors are what they were (a closed pipe on
// stdout ends sigview by SIGPIPE, as os.File does).
type rawWriter struct {
	f  *os.File
	fd uintptr
}

// rawChunk is the most one raw write writes: PIPE_BUF, which a pipe that
// polls writable takes without blocking.
const rawChunk = 4096

// rawStdout returns w as a rawWriter when it is a file in blocking mode
// (read through SyscallConn: f.Fd would make a non-blocking one blocking).
func rawStdout(w io.Writer) io.Writer {
	f, ok := w.(*os.File)
	if !ok {
		return w
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return w
	}
	raw := rawWriter{f: f}
	blocking := false
	if rc.Control(func(fd uintptr) {
		fl, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		raw.fd, blocking = fd, err == nil && fl&unix.O_NONBLOCK == 0
	}) != nil || !blocking {
		return w
	}
	return raw
}

func (w rawWriter) Write(b []byte) (int, error) {
	fd := w.fd
	n := 0
	for n < len(b) {
		if !w.writable() {
			k, err := w.f.Write(b[n:])
			return n + k, err
		}
		m, _, e := unix.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[n])), uintptr(min(len(b)-n, rawChunk)))
		switch {
		case e == 0 && m > 0:
			n += int(m)
		case e == unix.EINTR:
		default:
			k, err := w.f.Write(b[n:])
			return n + k, err
		}
	}
	return n, nil
}

// writable reports whether the descriptor takes data now: a ppoll(2) with
// a zero timeout, raw (it does not wait). An error says no: f's Write then
// finds out what is wrong.
func (w rawWriter) writable() bool {
	pfd := unix.PollFd{Fd: int32(w.fd), Events: unix.POLLOUT}
	var ts unix.Timespec
	for {
		r, _, e := unix.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		return e == 0 && r == 1 && pfd.Revents&unix.POLLOUT != 0 && pfd.Revents&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) == 0
	}
}
