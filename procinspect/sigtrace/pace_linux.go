package sigtrace

import (
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pacer sleeps between the polls of a burst on a timerfd that the Go
// runtime's poller waits on, rather than on a Go timer. A Go timer costs
// two wakeups of the reading thread a poll (the runtime's poller waits in
// whole milliseconds, truncated: 39 ms, then 1 ms more) and wakes the
// runtime's monitor thread (sysmon) with it, as sysmon's deep sleep ends at
// the next Go timer; the timerfd expires to the nanosecond and is no Go
// timer. It is armed and read with raw system calls (neither blocks: the
// descriptor is non-blocking), which do not wake sysmon either.
type pacer struct {
	f   *os.File
	rc  syscall.RawConn
	buf [8]byte
}

func newPacer() (*pacer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	// Non-blocking: os.NewFile hands it to the runtime's poller. Were it
	// not taken (no deadline then), a sleep would spin.
	f := os.NewFile(uintptr(fd), "sigtrace-pace")
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		f.Close()
		return nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &pacer{f: f, rc: rc}, nil
}

// sleep waits d; false when the pacer was closed.
func (p *pacer) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if !p.arm(d) {
		return false
	}
	// The expiry count is read raw: EAGAIN before the expiry makes the
	// runtime's poller wait for it. Any error (Close) ends the sleep.
	return p.rc.Read(func(fd uintptr) bool {
		_, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&p.buf[0])), uintptr(len(p.buf)))
		return e != unix.EAGAIN && e != unix.EINTR
	}) == nil
}

// arm sets the timer to expire once, d from now; false when it cannot
// (closed).
func (p *pacer) arm(d time.Duration) bool {
	ok := true
	err := p.rc.Control(func(fd uintptr) {
		ts := unix.NsecToTimespec(int64(d))
		if unix.TimerfdSettime(int(fd), 0, &unix.ItimerSpec{Value: ts}, nil) != nil {
			ok = false
		}
	})
	return err == nil && ok
}

func (p *pacer) close() error { return p.f.Close() }
