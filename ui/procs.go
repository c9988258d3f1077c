package ui

import (
	"os"
	"runtime"
	"sync"
)

// The UI runs Go code on one thread at a time between scans, and on every
// CPU while it scans, unless GOMAXPROCS is set in the environment. Between
// scans it waits for a key, the next frame (framesPerSecond) or the next
// tick: with a second P each of those wakeups also woke an idle thread to
// look for work (the Go scheduler's spinning thread), which went back to
// sleep finding none, as sigview watch found (watchProcs). A scan at size
// still reads on every CPU.
type procLimit struct {
	mu   sync.Mutex
	full int // GOMAXPROCS to scan with; 0: the limit is off
	busy int // scans running
}

var uiProcs procLimit

// start puts the limit on (Run).
func (l *procLimit) start() func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if os.Getenv("GOMAXPROCS") != "" || runtime.GOMAXPROCS(0) <= 1 {
		return func() {}
	}
	l.full = runtime.GOMAXPROCS(1)
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		runtime.GOMAXPROCS(l.full)
		l.full = 0
	}
}

// scan lifts the limit until the returned function is called.
func (l *procLimit) scan() func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.full == 0 {
		return func() {}
	}
	if l.busy == 0 {
		runtime.GOMAXPROCS(l.full)
	}
	l.busy++
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.busy--
		if l.busy == 0 && l.full != 0 {
			runtime.GOMAXPROCS(1)
		}
	}
}
