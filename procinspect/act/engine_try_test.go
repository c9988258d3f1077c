package act

import (
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestEngineTryJudge: whether an engine's stop held its prediction, by the
// rule send and try share (held), plus the stop's own timing.
func TestEngineTryJudge(t *testing.T) {
	grace := 10 * time.Second
	stop := func(v predict.Verdict, exit int) predict.Stop {
		st := predict.Stop{Verdict: v, Grace: grace}
		if exit >= 0 {
			st.Exit = procinspect.KnownInt(exit)
		}
		return st
	}
	for _, c := range []struct {
		name string
		pr   predict.Stop
		took time.Duration
		exit int
		want procinspect.Flag
	}{
		{"yes, ended at once with the predicted status", stop(predict.Yes, 143), 300 * time.Millisecond, 143, procinspect.KnownFlag(true)},
		{"yes, another status", stop(predict.Yes, 143), 300 * time.Millisecond, 0, procinspect.KnownFlag(false)},
		{"yes, status unknown", stop(predict.Yes, -1), 300 * time.Millisecond, 2, procinspect.KnownFlag(true)},
		{"yes, but it took the whole grace period", stop(predict.Yes, 143), 9800 * time.Millisecond, 143, procinspect.KnownFlag(false)},
		{"yes, but SIGKILLed", stop(predict.Yes, 143), grace, 137, procinspect.KnownFlag(false)},
		{"no, SIGKILLed after the grace period", stop(predict.No, 137), grace + 200*time.Millisecond, 137, procinspect.KnownFlag(true)},
		{"no, but the stop signal ended it", stop(predict.No, 137), 200 * time.Millisecond, 143, procinspect.KnownFlag(false)},
		{"depends: not judged", stop(predict.Depends, -1), 200 * time.Millisecond, 0, procinspect.Flag{}},
	} {
		r := EngineTryReport{Predicted: c.pr, Took: c.took, Exit: c.exit}
		r.judge()
		if r.Held != c.want {
			t.Errorf("%s: Held = %+v, want %+v (%s)", c.name, r.Held, c.want, r.Why)
		}
	}
}
