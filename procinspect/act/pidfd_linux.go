//go:build linux

package act

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/sigview/sigview/procinspect"
	"golang.org/x/sys/unix"
)

// Handle is a race-free reference to one process: a pidfd (pidfd_open(2)),
// checked against the start time the process was scanned with. A PID that
// is reused after the check cannot be signalled through it: the kernel
// answers ESRCH once the process it pins has been reaped.
type Handle struct {
	fd    int
	pid   int
	start uint64
}

// Open opens a pidfd for pid and checks that the process still has the
// given start time (field 22 of /proc/PID/stat, read from procRoot). It
// returns an error wrapping ErrNotSame when it does not, and one wrapping
// ESRCH when the process is gone.
func Open(procRoot string, pid int, start uint64) (*Handle, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ENOSYS) {
		// No safe fallback: kill(2) by number could hit a reused PID.
		return nil, fmt.Errorf("this kernel has no pidfd_open (Linux 5.3 or later), and a signal sent by PID alone could reach a process that reused it, so nothing is sent: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("pidfd_open(%d): %w", pid, err)
	}
	h := &Handle{fd: fd, pid: pid, start: start}
	// The pidfd now pins the process; check it is the scanned one.
	got, err := procinspect.StartTime(procRoot, pid)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("re-read PID %d: %w", pid, err)
	}
	if got != start {
		h.Close()
		return nil, fmt.Errorf("PID %d started at tick %d, not %d as scanned: %w", pid, got, start, ErrNotSame)
	}
	return h, nil
}

// Close releases the pidfd.
func (h *Handle) Close() error { return unix.Close(h.fd) }

// Signal sends sig from sigview's own namespace (pidfd_send_signal(2)).
// Like kill(2) it returns nil for a signal the target then drops.
func (h *Handle) Signal(sig syscall.Signal) error {
	if err := unix.PidfdSendSignal(h.fd, sig, nil, 0); err != nil {
		return fmt.Errorf("pidfd_send_signal(%d, %d): %w", h.pid, sig, err)
	}
	return nil
}

// Alive reports whether the process has not exited (signal 0 through the pidfd).
func (h *Handle) Alive() bool { return unix.PidfdSendSignal(h.fd, 0, nil, 0) == nil }

// WaitExit waits up to d for the process to exit: a pidfd becomes readable
// when it does. It reports whether it exited.
func (h *Handle) WaitExit(d time.Duration) (bool, error) {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left < 0 {
			left = 0
		}
		fds := []unix.PollFd{{Fd: int32(h.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds()))
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("poll pidfd of %d: %w", h.pid, err)
		}
		if fds[0].Revents&(unix.POLLNVAL|unix.POLLERR) != 0 {
			return false, fmt.Errorf("poll pidfd of %d: descriptor invalid (revents %#x)", h.pid, fds[0].Revents)
		}
		return n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP) != 0, nil
	}
}

// ExitStatus returns the wait status of an exited and reaped process
// (PIDFD_GET_INFO with PIDFD_INFO_EXIT, Linux 6.15+). known is false while
// the process is a zombie, or when the kernel lacks the ioctl.
func (h *Handle) ExitStatus() (ws syscall.WaitStatus, known bool) {
	info := unix.PidfdInfo{Mask: unix.PIDFD_INFO_EXIT}
	if err := unix.IoctlPidfdInfo(h.fd, &info); err != nil || info.Mask&unix.PIDFD_INFO_EXIT == 0 {
		return 0, false
	}
	return syscall.WaitStatus(info.Exit_code), true
}

// SignalFromInside sends sig from a process inside the target's PID
// namespace, as `docker exec c kill 1` does: it joins the namespace on a
// locked OS thread (setns(2) affects only children created afterwards),
// starts the inside sender (this binary again, see ServeInside) from that
// thread with the pidfd as fd 3, and the sender calls pidfd_send_signal on
// it. The pidfd keeps the target pinned across the hop.
func (h *Handle) SignalFromInside(procRoot string, sig syscall.Signal) error {
	helper := insideArgv()
	nsPath := procRoot + "/" + strconv.Itoa(h.pid) + "/ns/pid"
	// The helper gets a duplicate: an *os.File closes its descriptor when
	// it is collected, and the handle's own pidfd must outlive the hop.
	dup, err := unix.FcntlInt(uintptr(h.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("dup pidfd of %d: %w", h.pid, err)
	}
	pidfd := os.NewFile(uintptr(dup), "pidfd")
	defer pidfd.Close()
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: when this goroutine ends, the runtime discards the
		// thread whose namespace for children was changed.
		runtime.LockOSThread()
		ns, err := os.Open(nsPath)
		if err != nil {
			errc <- fmt.Errorf("open %s: %w", nsPath, err)
			return
		}
		defer ns.Close()
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWPID); err != nil {
			errc <- fmt.Errorf("join the PID namespace of %d: %w", h.pid, err)
			return
		}
		cmd := exec.Command(helper[0], append(helper[1:], strconv.Itoa(int(sig)))...)
		cmd.ExtraFiles = []*os.File{pidfd}
		out, err := cmd.CombinedOutput()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
					// The target was the namespace's init, it died, and the
					// teardown killed the helper too (zap_pid_ns_processes).
					errc <- nil
					return
				}
			}
			errc <- fmt.Errorf("sender inside the namespace: %v: %s", err, out)
			return
		}
		errc <- nil
	}()
	return <-errc
}

// sendInheritedPidfd is the inside sender's side of SignalFromInside: it
// sends sig through the pidfd it inherited as fd 3.
func sendInheritedPidfd(sig syscall.Signal) error {
	if err := unix.PidfdSendSignal(3, sig, nil, 0); err != nil {
		return fmt.Errorf("pidfd_send_signal: %w", err)
	}
	return nil
}
