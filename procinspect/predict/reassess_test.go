package predict_test

import (
	"reflect"
	"testing"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

func scanFixture(t *testing.T) *procinspect.Snapshot {
	t.Helper()
	s, err := procinspect.Scanner{Root: "../testdata/proc", SelfNS: "../testdata/proc/1/ns/pid"}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameAssessments fails on any init whose assessment in got differs from
// want's (a fresh Assess of the same snapshot).
func sameAssessments(t *testing.T, s *procinspect.Snapshot, got, want *predict.Assessments) {
	t.Helper()
	for _, ns := range s.Namespaces {
		if ns.Init == nil {
			continue
		}
		g, w := got.Of(ns.Init), want.Of(ns.Init)
		if g.Process != ns.Init {
			t.Errorf("PID %d: the kept assessment is of another reading", ns.Init.PID)
		}
		if !reflect.DeepEqual(g.Predictions, w.Predictions) || !reflect.DeepEqual(g.Stops, w.Stops) || g.Hint != w.Hint || g.Program != w.Program {
			t.Errorf("PID %d (%s): reassessed %+v %+v %q, assessed %+v %+v %q", ns.Init.PID, ns.Init.Name(), g.Predictions, g.Stops, g.Hint, w.Predictions, w.Stops, w.Hint)
		}
	}
}

// TestReassessKeepsOnlyTheUnchanged: an init whose facts are unchanged
// keeps its assessment without a prediction; one with any fact changed (its
// masks, its command line, a thread's wait, a child's status) is judged
// again; either way the result is what Assess makes of the new snapshot.
func TestReassessKeepsOnlyTheUnchanged(t *testing.T) {
	first := scanFixture(t)
	prev := predict.Assess(first, first.Kernel)
	inits := 0
	for _, ns := range first.Namespaces {
		if ns.Init != nil {
			inits++
		}
	}
	if inits < 3 {
		t.Fatalf("the fixture has %d inits; the test wants several", inits)
	}

	same := scanFixture(t)
	before := predict.PredictCalls()
	kept := predict.Reassess(prev, same, same.Kernel)
	if n := predict.PredictCalls() - before; n != 0 {
		t.Errorf("reassessing an unchanged snapshot made %d predictions; want none", n)
	}
	sameAssessments(t, same, kept, predict.Assess(same, same.Kernel))

	changes := []struct {
		name string
		f    func(p *procinspect.Process) bool
	}{
		{"SigIgn gains SIGTERM", func(p *procinspect.Process) bool {
			p.Status.SigIgn = procinspect.KnownMask(p.Status.SigIgn.Set.With(procinspect.SIGTERM))
			return true
		}},
		{"SigCgt loses everything", func(p *procinspect.Process) bool {
			p.Status.SigCgt = procinspect.KnownMask(0)
			return true
		}},
		{"command line", func(p *procinspect.Process) bool {
			p.Cmdline = append(append([]string(nil), p.Cmdline...), "--changed")
			return true
		}},
		{"a thread's sigtimedwait", func(p *procinspect.Process) bool {
			if p.Deep == nil || len(p.Deep.Threads) == 0 {
				return false
			}
			th := append([]procinspect.Thread(nil), p.Deep.Threads...)
			th[0].Sigwait = procinspect.KnownFlag(!th[0].Sigwait.V)
			p.Deep.Threads = th
			return true
		}},
		{"a child's masks", func(p *procinspect.Process) bool {
			if len(p.Children) == 0 {
				return false
			}
			c := *p.Children[0]
			c.Status = new(*c.Status) // the copy's own reading
			c.Status.SigIgn = procinspect.KnownMask(c.Status.SigIgn.Set.With(procinspect.SIGTERM))
			p.Children = append([]*procinspect.Process{&c}, p.Children[1:]...)
			return true
		}},
	}
	for _, c := range changes {
		s := scanFixture(t)
		changed := 0
		for _, ns := range s.Namespaces {
			if ns.Init != nil && c.f(ns.Init) {
				changed++
			}
		}
		if changed == 0 {
			continue
		}
		before := predict.PredictCalls()
		got := predict.Reassess(prev, s, s.Kernel)
		if predict.PredictCalls() == before {
			t.Errorf("%s in %d inits: no prediction made again", c.name, changed)
		}
		sameAssessments(t, s, got, predict.Assess(s, s.Kernel))
	}

	// Another kernel profile: everything is judged again.
	s := scanFixture(t)
	k := &procinspect.Kernel{}
	before = predict.PredictCalls()
	got := predict.Reassess(prev, s, k)
	if n := predict.PredictCalls() - before; n < int64(inits) {
		t.Errorf("another kernel profile: %d predictions for %d inits", n, inits)
	}
	sameAssessments(t, s, got, predict.Assess(s, k))
}
