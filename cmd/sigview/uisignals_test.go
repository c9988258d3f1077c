package main

import (
	"errors"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/ui"
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

// TestUISessionCatchesEarlyHangup: a hangup that arrives after the UI's
// subscriptions are made (open) and before the UI runs ends the session
// through open's release, with exit status 129, and the UI is not started
// (issue 19: the handler was installed only when the UI started, so such a
// SIGHUP killed sigview with its process events listener still counted).
// The signal is sent to this test process itself, from inside open where
// OpenEvents is: with the handler installed after open, the test binary
// dies of it.
func TestUISessionCatchesEarlyHangup(t *testing.T) {
	sig := syscall.SIGHUP
	if signal.Ignored(sig) { // started under nohup: the UI leaves SIGHUP alone
		sig = syscall.SIGUSR1
	}
	released, ran := false, false
	open := func(uo *ui.Options) (procinspect.Scanner, func()) {
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		// Signals are delivered asynchronously: wait for the handler.
		select {
		case <-uo.Context.Done():
		case <-time.After(5 * time.Second):
			t.Errorf("%v in open did not end the session within 5 s", sig)
		}
		return procinspect.Scanner{}, func() { released = true }
	}
	run := func(_ procinspect.Scanner, uo ui.Options) error {
		ran = true
		select {
		case <-uo.Context.Done():
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("the UI's context was not cancelled by the signal")
		}
	}
	err := runUISession(ui.Options{}, open, run)
	if err != exitStatus(128+int(sig)) {
		t.Errorf("runUISession after %v in open: %v, want exit status %d", sig, err, 128+int(sig))
	}
	if !released {
		t.Error("open's release did not run: the subscription would stay counted")
	}
	if ran {
		t.Error("the UI was started after the session had already been ended by a signal")
	}
}
