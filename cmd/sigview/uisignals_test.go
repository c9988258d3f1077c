package main

import (
	"os"
	"os/signal"
	"slices"
	"syscall"
	"testing"
)

// TestNotIgnoredKeepsAChosenIgnore: a signal the process was started with
// ignored (nohup's SIGHUP) is not taken over by the UI (review 3: it ended
// the UI with 129).
func TestNotIgnoredKeepsAChosenIgnore(t *testing.T) {
	signal.Ignore(syscall.SIGALRM)
	defer signal.Reset(syscall.SIGALRM)
	got := notIgnored(uiEndingSignals)
	if slices.Contains(got, os.Signal(syscall.SIGALRM)) {
		t.Errorf("notIgnored kept SIGALRM, which is ignored: %v", got)
	}
	if !slices.Contains(got, os.Signal(syscall.SIGUSR1)) {
		t.Errorf("notIgnored dropped SIGUSR1, which is not ignored: %v", got)
	}
}
