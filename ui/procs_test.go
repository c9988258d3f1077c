package ui

import (
	"os"
	"runtime"
	"testing"
)

// TestProcLimit: the UI runs on one P between scans and on all of them
// while a scan runs (two at once lift it once), and gives back what it
// found when it ends; GOMAXPROCS in the environment is left alone.
func TestProcLimit(t *testing.T) {
	if _, set := os.LookupEnv("GOMAXPROCS"); set {
		var l procLimit
		before := runtime.GOMAXPROCS(0)
		stop := l.start()
		if got := runtime.GOMAXPROCS(0); got != before {
			t.Errorf("with GOMAXPROCS set in the environment the UI changed it: %d -> %d", before, got)
		}
		stop()
		return
	}
	full := runtime.GOMAXPROCS(0)
	if full < 2 {
		defer runtime.GOMAXPROCS(full)
		full = 2
		runtime.GOMAXPROCS(full)
	}
	var l procLimit
	stop := l.start()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("between scans GOMAXPROCS is %d, want 1", got)
	}
	done1 := l.scan()
	done2 := l.scan()
	if got := runtime.GOMAXPROCS(0); got != full {
		t.Errorf("during a scan GOMAXPROCS is %d, want %d", got, full)
	}
	done1()
	if got := runtime.GOMAXPROCS(0); got != full {
		t.Errorf("with a scan still running GOMAXPROCS is %d, want %d", got, full)
	}
	done2()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("after the scans GOMAXPROCS is %d, want 1", got)
	}
	stop()
	if got := runtime.GOMAXPROCS(0); got != full {
		t.Errorf("after the UI GOMAXPROCS is %d, want %d as before", got, full)
	}
	l.scan()() // after the end: no change
	if got := runtime.GOMAXPROCS(0); got != full {
		t.Errorf("a scan after the UI ended changed GOMAXPROCS to %d", got)
	}
}
