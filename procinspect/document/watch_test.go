package document

// The lines of `sigview watch --json` (docs/json.md): every signal name has
// its number beside it (the general rule), in the event and in a fate.

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
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

// TestAppendWatchLineSame: the hand-written encoder writes, byte for byte,
// what encoding/json writes for the same item (WriteLine of WatchItemOf),
// for every kind of line, every optional field set and unset, and strings a
// process controls (comm) or that carry what JSON must escape.
func TestAppendWatchLineSame(t *testing.T) {
	strs := []string{"", "sleep", "kill\x1b[2J", "a\"b\\c", "<script>&amp;", "tab\there\nnl\r\b\f\x00\x1f\x7f",
		"\xff\xfeinvalid", "line\u2028sep\u2029", "ünïcödé 🐳", "runc:[2:INIT]"}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return strs[rng.IntN(len(strs))] }
	afters := []time.Duration{0, time.Nanosecond, 999 * time.Nanosecond, time.Millisecond, 2 * time.Second,
		10041 * time.Millisecond, 1<<63 - 1}
	fate := func() *watch.Fate {
		switch rng.IntN(4) {
		case 0:
			return nil
		case 1:
			return &watch.Fate{After: afters[rng.IntN(len(afters))]}
		case 2:
			return &watch.Fate{Exited: true, ExitCode: rng.IntN(256), After: afters[rng.IntN(len(afters))]}
		}
		sig := procinspect.Signal(1 + rng.IntN(64))
		return &watch.Fate{Exited: true, ExitCode: 128 + int(sig), Signal: sig, After: afters[rng.IntN(len(afters))]}
	}
	optBool := func() *bool {
		if rng.IntN(3) == 0 {
			return nil
		}
		b := rng.IntN(2) == 0
		return &b
	}
	at := time.Date(2026, 12, 7, 3, 0, 0, 0, time.FixedZone("X", 3600))
	var items []watch.Item
	for i := 0; i < 2000; i++ {
		when := at.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		switch rng.IntN(3) {
		case 0:
			e := &watch.Event{ID: rng.Uint64(), Time: when, Signal: procinspect.Signal(1 + rng.IntN(64)), Code: rng.IntN(300) - 10,
				Target: watch.Party{PID: rng.IntN(1 << 22), NSPID: rng.IntN(100), PIDNS: rng.Uint64(), Comm: pick(), Container: pick()},
				Sender: watch.Party{PID: rng.IntN(1 << 22), PIDNS: rng.Uint64(), Comm: pick(), Container: pick()},
				From:   pick(), Result: pick(), Why: pick(), Delivery: pick(), Fate: fate(), Agrees: optBool()}
			if rng.IntN(2) == 0 {
				e.Predicted = &predict.Prediction{Verdict: predict.Verdict(pick()), Outcome: predict.Outcome(pick()), Reason: pick()}
			}
			for n := rng.IntN(3); n > 0; n-- {
				e.Notes = append(e.Notes, pick())
			}
			items = append(items, e)
		case 1:
			items = append(items, &watch.Update{ID: rng.Uint64(), Time: when, Delivery: pick(), Fate: fate(), Agrees: optBool(), Note: pick()})
		default:
			items = append(items, &watch.Lost{Time: when, Count: rng.Uint64(), Total: rng.Uint64()})
		}
	}
	var buf []byte
	for _, it := range items {
		var want bytes.Buffer
		if err := WriteLine(&want, WatchItemOf(it)); err != nil {
			t.Fatal(err)
		}
		buf = AppendWatchLine(buf[:0], it)
		if !bytes.Equal(buf, want.Bytes()) {
			t.Fatalf("item %+v:\n got %s\nwant %s", it, buf, want.Bytes())
		}
	}
}

func BenchmarkWatchLine(b *testing.B) {
	e := &watch.Event{ID: 12345, Time: time.Now(), Signal: procinspect.Signal(syscall.SIGURG),
		Target: watch.Party{PID: 4242, NSPID: 1, PIDNS: 4026532201, Comm: "sleep"},
		Sender: watch.Party{PID: 999, PIDNS: 4026531836, Comm: "stormbench"}, From: "host", Result: "ignored",
		Why: "its default action is to ignore it", Notes: []string{},
		Predicted: &predict.Prediction{Verdict: predict.No, Outcome: predict.Ignored, Reason: "sleep has the default action for SIGURG, which is to ignore it"}}
	u := &watch.Update{ID: 12345, Time: time.Now(), Fate: &watch.Fate{After: 2 * time.Second}}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			WriteLine(io.Discard, WatchItemOf(e))
			WriteLine(io.Discard, WatchItemOf(u))
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = AppendWatchLine(buf[:0], e)
			buf = AppendWatchLine(buf[:0], u)
		}
	})
}
