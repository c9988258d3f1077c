package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/ui"
)

// uiEnd is the handler of uiEndingSignals for the UI's whole life: its
// context is cancelled when one arrives, which ends the UI as a quit.
type uiEnd struct {
	caught chan os.Signal
	ctx    context.Context
	cancel context.CancelFunc
	got    atomic.Value // the syscall.Signal that arrived
}

// catchUIEnding installs the handler (only for the signals sigview was not
// started with ignored: notIgnored).
func catchUIEnding() *uiEnd {
	e := &uiEnd{caught: make(chan os.Signal, 1)}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	signal.Notify(e.caught, notIgnored(uiEndingSignals)...)
	go func() {
		select {
		case s := <-e.caught:
			e.got.Store(s)
			e.cancel()
		case <-e.ctx.Done():
		}
	}()
	return e
}

func (e *uiEnd) stop() {
	signal.Stop(e.caught)
	e.cancel()
}

// status is the UI's outcome: 128+N when signal N ended it.
func (e *uiEnd) status(err error) error {
	if s, ok := e.got.Load().(syscall.Signal); ok {
		return exitStatus(128 + int(s))
	}
	return err
}

// runUISession runs the UI until it quits or one of uiEndingSignals
// arrives; then exit status 128+N. The handler is installed before open
// makes what must be released on the way out (the process events
// subscription: the kernel counts listeners; the signal recorder): a
// hangup in the first moments, between that subscription and the UI's
// start, used to kill sigview with its listener still counted (issue 19).
// open is given the options with the session's context; its release
// function runs on every way out; a signal that arrived
// before the UI started ends the session without starting it.
func runUISession(uo ui.Options, open func(*ui.Options) (procinspect.Scanner, func()),
	run func(procinspect.Scanner, ui.Options) error) error {
	end := catchUIEnding()
	defer end.stop()
	uo.Context = end.ctx
	sc, release := open(&uo)
	defer release()
	if end.ctx.Err() != nil {
		return end.status(nil)
	}
	return end.status(run(sc, uo))
}
