// Package act is the only part of sigview that signals a process or starts
// one: race-free pidfd handles, the sender that joins a target's PID
// namespace, `sigview send` (Send) and `sigview try` (Try). It reads facts
// through procinspect and judges with procinspect/predict, so that what
// it did can be set next to what was predicted; nothing that only reads
// /proc imports it. It sends only what a person explicitly asked for.
package act

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/sigview/sigview/procinspect"
)

// ErrNotSame reports that the PID now names another process than the one
// that was scanned (the PID was reused), so nothing was sent.
var ErrNotSame = errors.New("the PID now belongs to another process")

// ErrNotAncestor reports a send "from the host" that sigview cannot make:
// it runs in the target's own PID namespace, not in an ancestor of it.
var ErrNotAncestor = errors.New("not sent from the host")

// ErrHostInit refuses a signal to the machine's own PID 1 that the person
// did not confirm (send's --yes-host-init, the PID typed in the UI).
var ErrHostInit = errors.New("it is the machine's own init, PID 1 of the host's initial PID namespace: a signal it acts on can take the whole machine down; confirm with --yes-host-init (in the UI, type its PID)")

// CheckHostInit refuses a send to the machine's own PID 1 (the init of the
// host's initial PID namespace) unless confirmed. Inside a container its
// own PID 1 is not the machine's and needs no confirmation. Send calls it
// after its scan and before it opens the target.
func CheckHostInit(snap *procinspect.Snapshot, p *procinspect.Process, confirmed bool) error {
	if !confirmed && snap.IsHostInit(p) {
		return fmt.Errorf("PID %d: %w", p.PID, ErrHostInit)
	}
	return nil
}

// ErrReadOnly is returned when sending is turned off (--read-only).
var ErrReadOnly = errors.New("sending signals is turned off (read-only)")

// insideArg is the argument that re-enters the running binary as the inside
// sender: EXE insideArg SIGNAL, with the target's pidfd as fd 3.
const insideArg = "__send-inside"

// insideArgv is the inside sender's argv without the signal: the running
// binary, which must call ServeInside first thing in main (or TestMain).
func insideArgv() []string {
	exe, err := os.Executable()
	if err != nil {
		exe = "/proc/self/exe"
	}
	return []string{exe, insideArg}
}

// ServeInside runs the inside sender and exits when this process was
// started as one (by Handle.SignalFromInside); otherwise it returns at once.
// A program that sends from inside (sigview's main, and TestMain of tests
// that do) calls it before anything else.
func ServeInside() {
	if len(os.Args) != 3 || os.Args[1] != insideArg {
		return
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "sigview: %s: bad signal %q\n", insideArg, os.Args[2])
		os.Exit(2)
	}
	if err := sendInheritedPidfd(syscall.Signal(n)); err != nil {
		fmt.Fprintf(os.Stderr, "sigview: %s: %v\n", insideArg, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// ownProcfs checks that root numbers PIDs as sigview's own namespace does:
// its "self" link names our PID.
func ownProcfs(root string) error {
	self, err := os.Readlink(filepath.Join(root, "self"))
	if err != nil || self != strconv.Itoa(os.Getpid()) {
		return fmt.Errorf("sending needs the procfs of sigview's own PID namespace, and %s is not it", root)
	}
	return nil
}
