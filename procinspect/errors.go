package procinspect

import (
	"errors"
	"io/fs"
	"syscall"
)

// ErrGone reports that a process exited (and was reaped) while it was read.
var ErrGone = errors.New("process gone")

// Vanished reports whether err means the process no longer exists: its
// /proc directory is gone (ENOENT) or the kernel says ESRCH.
func Vanished(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) || errors.Is(err, ErrGone)
}

// reason turns an error into the short phrase shown next to an unknown fact.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}
