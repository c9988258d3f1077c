package act

import (
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestEngineTryJudge: whether an engine's stop held its prediction, from
// the exit status and how long the stop took.
func TestEngineTryJudge(t *testing.T) {
	grace := 10 * time.Second
	stopGrace := func(v predict.Verdict, exit int, g time.Duration) predict.Stop {
		st := predict.Stop{Verdict: v, Grace: g}
		if exit >= 0 {
			st.Exit = procinspect.KnownInt(exit)
		}
		return st
	}
	stop := func(v predict.Verdict, exit int) predict.Stop { return stopGrace(v, exit, grace) }
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
		// A grace of 0 (docker stop -t 0): SIGKILL follows at once, and 137
		// is what both verdicts predict.
		{"grace 0, yes, 137 as predicted", stopGrace(predict.Yes, 137, 0), 100 * time.Millisecond, 137, procinspect.KnownFlag(true)},
		{"grace 0, no, 137", stopGrace(predict.No, 137, 0), 100 * time.Millisecond, 137, procinspect.KnownFlag(true)},
		{"grace 0, no, but 143", stopGrace(predict.No, 137, 0), 100 * time.Millisecond, 143, procinspect.KnownFlag(false)},
		// StopTimeout -1: the engine never sends SIGKILL.
		{"grace -1, yes, 143 as predicted", stopGrace(predict.Yes, 143, -time.Second), 100 * time.Millisecond, 143, procinspect.KnownFlag(true)},
	} {
		r := EngineTryReport{Predicted: c.pr, Took: c.took, Exit: c.exit}
		r.judge()
		if r.Held != c.want {
			t.Errorf("%s: Held = %+v, want %+v (%s)", c.name, r.Held, c.want, r.Why)
		}
	}
}

// TestCheckRunFlags: run flags that name or reach another container are
// refused before anything runs; others pass.
func TestCheckRunFlags(t *testing.T) {
	for _, bad := range [][]string{
		{"--name=prod-db"}, {"--name", "prod-db"}, {"--replace"}, {"--pod", "p"}, {"--pod=p"},
		{"--volumes-from", "db"}, {"--cidfile=/tmp/x"}, {"--pid=container:db"}, {"--network", "container:db"},
		{"--net=container:db"}, {"--ipc", "container:db"}, {"--pod-id-file=/run/x.pod-id"}, {"--pid=ns:/proc/1/ns/pid"},
		{"--network", "ns:/run/netns/x"}, {"--userns=ns:/proc/1/ns/user"}, {"--cgroup-parent=/docker-x.scope"}, {"--label", "sigview.try=x"},
	} {
		if err := checkRunFlags(bad); err == nil {
			t.Errorf("checkRunFlags(%q) = nil; want a refusal", bad)
		}
	}
	for _, ok := range [][]string{
		{"--init"}, {"--stop-timeout", "3"}, {"--network", "none"}, {"--pid=host"}, {"--stop-signal=SIGINT"}, {"-e", "NAME=x"}, {"--label", "app=web"},
	} {
		if err := checkRunFlags(ok); err != nil {
			t.Errorf("checkRunFlags(%q) = %v; want nil", ok, err)
		}
	}
}
