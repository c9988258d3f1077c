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
// internal/stormbench). Only for a descriptor in blocking mode. Any error
// but EINTR (EAGAIN, EPIPE, ...) hands the rest to f's own Write, so that
// errors are what they were (a closed pipe on stdout ends sigview by
// SIGPIPE, as os.File does). A write that blocks holds watch's one P
// (GOMAXPROCS 1): a signal that stops watch is handled once it returns,
// which is when watch could end anyway (its reading goroutine writes).
type rawWriter struct {
	f  *os.File
	fd uintptr
}

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
		m, _, e := unix.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n))
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
