package main

import (
	"testing"

	"github.com/sigview/sigview/procinspect"
)

// TestEngineSignalArg: try --docker --stop-signal asks the engine for the
// very signal the person named: SIGRTMIN+3 and 37 are 37 for docker too.
func TestEngineSignalArg(t *testing.T) {
	for in, want := range map[string]string{"SIGRTMIN+3": "37", "37": "37", "35": "35", "SIG32": "32", "TERM": "SIGTERM", "2": "SIGINT"} {
		sig, err := procinspect.ParseSignal(in)
		if err != nil {
			t.Fatalf("ParseSignal(%q): %v", in, err)
		}
		if got := engineSignalArg(sig); got != want {
			t.Errorf("--stop-signal %s: the engine is asked for %q, want %q", in, got, want)
		}
	}
}
