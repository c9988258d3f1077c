package document

// The lines of `sigview watch --json` (docs/json.md): every signal name has
// its number beside it (the general rule), in the event and in a fate.

import (
	"bytes"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/watch"
)

func watchLine(t *testing.T, it watch.Item) map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := WriteLine(&b, WatchItemOf(it)); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatalf("%s: %v", b.String(), err)
	}
	return m
}

func TestWatchSignalNumbers(t *testing.T) {
	at := time.Date(2026, 12, 7, 3, 0, 0, 5, time.UTC)
	ev := watchLine(t, &watch.Event{ID: 1, Time: at, Signal: procinspect.Signal(syscall.SIGTERM),
		Target: watch.Party{PID: 10, NSPID: 1, PIDNS: 4026532201, Comm: "sleep"},
		Sender: watch.Party{PID: 9, Comm: "kill\x1b[2J"}, From: "host", Result: "ignored"})
	if ev["signal"] != "SIGTERM" || ev["signal_number"] != float64(15) {
		t.Errorf("event: signal %v, signal_number %v; want SIGTERM, 15", ev["signal"], ev["signal_number"])
	}
	if c := ev["sender"].(map[string]any)["comm"]; c != procinspect.Printable("kill\x1b[2J") {
		t.Errorf("sender comm %q is not escaped", c)
	}
	rt := watchLine(t, &watch.Event{ID: 2, Time: at, Signal: procinspect.Signal(36)})
	if rt["signal"] != "SIGRTMIN+2" || rt["signal_number"] != float64(36) {
		t.Errorf("real-time event: signal %v, signal_number %v; want SIGRTMIN+2, 36", rt["signal"], rt["signal_number"])
	}

	killed := watchLine(t, &watch.Update{ID: 1, Time: at, Fate: &watch.Fate{Exited: true, ExitCode: 137,
		Signal: procinspect.Signal(syscall.SIGKILL), After: time.Second}})
	f := killed["fate"].(map[string]any)
	if f["signal"] != "SIGKILL" || f["signal_number"] != float64(9) || f["exit_code"] != float64(137) {
		t.Errorf("fate of a death by SIGKILL: %v", f)
	}
	// A plain exit and a process still running: no signal, both null.
	for _, fate := range []*watch.Fate{{Exited: true, ExitCode: 3}, {}} {
		f := watchLine(t, &watch.Update{ID: 1, Time: at, Fate: fate})["fate"].(map[string]any)
		for _, k := range []string{"signal", "signal_number"} {
			if v, ok := f[k]; !ok || v != nil {
				t.Errorf("fate %+v: %s = %v (present %v), want null", fate, k, v, ok)
			}
		}
	}
}
