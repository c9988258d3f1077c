package procinspect

import "golang.org/x/sys/unix"

// The system calls the engine recognises in /proc/PID/task/TID/syscall. The
// kernel prints the number in the native table of the architecture, so
// they are taken from x/sys/unix for the GOARCH sigview is built for: on
// x86_64 rt_sigtimedwait is 128, wait4 61 and waitid 247; on arm64 they are
// 137, 260 and 95.
const (
	// glibc's sigwait, sigwaitinfo and sigtimedwait all use rt_sigtimedwait.
	sysRtSigtimedwait = unix.SYS_RT_SIGTIMEDWAIT
	sysWait4          = unix.SYS_WAIT4
	sysWaitid         = unix.SYS_WAITID
	sysRtSigsuspend   = unix.SYS_RT_SIGSUSPEND
)

// IsSigsuspendSyscall reports whether nr is rt_sigsuspend: the thread
// sleeps until a signal arrives (dash's and busybox ash's wait builtin wait
// there for their background jobs, their foreground commands in wait4).
func IsSigsuspendSyscall(nr int) bool { return nr == sysRtSigsuspend }

// isSigwaitSyscall reports whether nr, a number read from a syscall file,
// is rt_sigtimedwait: the thread waits for a signal and consumes it
// without a handler (docs/kernel-signals.md §4.2).
func isSigwaitSyscall(nr int) bool { return nr == sysRtSigtimedwait }

// IsWaitSyscall reports whether nr is wait4 or waitid: the thread waits for
// a child to change state.
func IsWaitSyscall(nr int) bool { return nr == sysWait4 || nr == sysWaitid }
