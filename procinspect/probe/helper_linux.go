package probe

import (
	"fmt"
	"os"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// helperArg is the first argument with which the probe re-executes the
// running binary as one of its throwaway helper inits. Any program that
// links this package (sigview, and the test binaries) answers to it before
// its main function runs, so the probe needs no compiler and no other
// executable.
const helperArg = "__sigview-probe-helper"

// Helper modes.
const (
	// modeLeaderBlocks: the main thread blocks SIGTERM and SIGQUIT, the
	// other threads block nothing, and both signals have the default
	// action (docs/kernel-signals.md §11.1 row 18).
	modeLeaderBlocks = "leader-blocks"
	// modeDefault: every thread blocks nothing and SIGTERM has the default
	// action, for the traced-init rule.
	modeDefault = "default"
)

func init() {
	if len(os.Args) == 3 && os.Args[1] == helperArg {
		os.Exit(helperMain(os.Args[2]))
	}
}

// helperMain runs as PID 1 of a throwaway PID namespace. Package
// initialisation runs on the main thread (the runtime locks the main
// goroutine to it until main starts), so the masks set here are the
// thread-group leader's. It says "ready" on stdout and sleeps until the
// probe ends it.
func helperMain(mode string) int {
	runtime.LockOSThread()
	// No core file, whatever a core-dump signal does to it.
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	// The Go runtime catches SIGTERM and SIGQUIT; give them the kernel's
	// default action again, so the kernel alone decides.
	for _, sig := range []unix.Signal{unix.SIGTERM, unix.SIGQUIT} {
		if err := setDefault(sig); err != nil {
			fmt.Fprintf(os.Stderr, "rt_sigaction(%d, SIG_DFL): %v\n", sig, err)
			return 1
		}
	}
	switch mode {
	case modeLeaderBlocks:
		// Another thread that blocks nothing, besides the runtime's own.
		started := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(started)
			for {
				time.Sleep(time.Hour)
			}
		}()
		<-started
		var set unix.Sigset_t
		sigaddset(&set, unix.SIGTERM)
		sigaddset(&set, unix.SIGQUIT)
		if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
			fmt.Fprintf(os.Stderr, "block SIGTERM: %v\n", err)
			return 1
		}
	case modeDefault:
	default:
		fmt.Fprintf(os.Stderr, "unknown probe helper mode %q\n", mode)
		return 2
	}
	os.Stdout.WriteString("ready\n")
	for {
		time.Sleep(time.Hour)
	}
}

// setDefault sets sig's handler to SIG_DFL with rt_sigaction(2). A zeroed
// struct sigaction is SIG_DFL with no flags and an empty mask on every
// architecture; it is sized generously for the layouts that have
// sa_restorer.
func setDefault(sig unix.Signal) error {
	var act [4]uint64
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

func sigaddset(set *unix.Sigset_t, sig unix.Signal) {
	bit, w := uint(sig)-1, uint(unsafe.Sizeof(set.Val[0])*8)
	set.Val[bit/w] |= 1 << (bit % w)
}
