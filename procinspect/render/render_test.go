package render_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

// The shared fixture procfs, and a hostile one: its container init (PID
// 4242) has escape sequences in its name, cmdline, State and SigQ lines,
// invalid UTF-8, and a thread whose State is a C1 control byte.
const (
	sharedRoot  = "../testdata/proc"
	hostileRoot = "testdata/proc"
)

// assessed is the snapshot judged with its own kernel profile.
func assessed(s *procinspect.Snapshot) *predict.Assessments { return predict.Assess(s, s.Kernel) }

func scan(t *testing.T, root string, deep ...int) *procinspect.Snapshot {
	t.Helper()
	snap, err := procinspect.Scanner{Root: root, SelfNS: root + "/1/ns/pid", Deep: deep}.Scan()
	if err != nil {
		t.Fatalf("Scan(%s): %v", root, err)
	}
	snap.Time = time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)
	return snap
}

// kernel is a measured profile as the probe records it on mainline.
func kernel() *procinspect.Kernel {
	k := &procinspect.Kernel{Release: "6.12.0-test", Version: "#1 SMP", Source: "probe", Method: "root: CLONE_NEWPID",
		ProbedAt: time.Date(2026, 11, 28, 20, 59, 0, 0, time.UTC), Took: 42 * time.Millisecond}
	for _, name := range procinspect.AllRules {
		v := name != procinspect.RuleCoreFastPathKillsInit && name != procinspect.RuleTracedPassOnKillsInit
		k.Set(procinspect.Rule{Name: name, Value: procinspect.KnownFlag(v), How: "measured on a helper init"})
	}
	return k
}

// noRaw fails when out holds a control character other than newline and
// tab, or invalid UTF-8: what a hostile process put in /proc reached it raw.
func noRaw(t *testing.T, out []byte) {
	t.Helper()
	if !utf8Valid(out) {
		t.Errorf("output has invalid UTF-8:\n%q", out)
	}
	for i, c := range string(out) {
		if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) {
			t.Fatalf("output has control character %#x at byte %d:\n%q", c, i, out)
		}
	}
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

func TestGoldenOnce(t *testing.T) {
	for name, root := range map[string]string{"shared": sharedRoot, "hostile": hostileRoot} {
		t.Run(name, func(t *testing.T) {
			snap := scan(t, root)
			snap.Kernel = kernel()
			var b bytes.Buffer
			if err := render.WriteTable(&b, assessed(snap)); err != nil {
				t.Fatal(err)
			}
			noRaw(t, b.Bytes())
			golden.RequireEqual(t, b.Bytes())
		})
	}
}

func TestGoldenJSON(t *testing.T) {
	for name, root := range map[string]string{"shared": sharedRoot, "hostile": hostileRoot} {
		t.Run(name, func(t *testing.T) {
			snap := scan(t, root)
			snap.Kernel = kernel()
			var b bytes.Buffer
			if err := document.Write(&b, document.Report(snap, assessed(snap))); err != nil {
				t.Fatal(err)
			}
			noRaw(t, b.Bytes())
			golden.RequireEqual(t, b.Bytes())
		})
	}
}

func TestGoldenExplain(t *testing.T) {
	for name, root := range map[string]string{"shared": sharedRoot, "hostile": hostileRoot} {
		t.Run(name, func(t *testing.T) {
			snap := scan(t, root, 4242)
			snap.Kernel = kernel()
			var b bytes.Buffer
			if err := render.WriteExplain(&b, assessed(snap), snap.Process(4242)); err != nil {
				t.Fatal(err)
			}
			noRaw(t, b.Bytes())
			golden.RequireEqual(t, b.Bytes())
		})
	}
}

// TestExplainHostileFields checks the hostile fields one by one, so that a
// golden regenerated with -update cannot hide a raw one.
func TestExplainHostileFields(t *testing.T) {
	snap := scan(t, hostileRoot, 4242)
	var b bytes.Buffer
	if err := render.WriteExplain(&b, assessed(snap), snap.Process(4242)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`PID 4242 (my\x1b[31minit)`, `state: \x1b   threads`, `SigQ: 0/31349\x1b]0;owned\x07\xff`,
		`cmdline: /sbin/my\x1b[2Jinit --name=\xff\xfe`, `4243  \x9b`} {
		if !strings.Contains(out, want) {
			t.Errorf("explain of the hostile init lacks %q:\n%s", want, out)
		}
	}
}

// recordedTry is a try report as act.Try fills it, for the fixture's
// container init stopped by SIGTERM, which ended it.
func recordedTry(t *testing.T, root string) act.TryReport {
	snap := scan(t, root, 4242)
	snap.Kernel = kernel()
	a := assessed(snap).Of(snap.Process(4242))
	return act.TryReport{Argv: []string{"/sbin/my\x1b[2Jinit", "--name=\xff"}, HostPID: 4242, Grace: 10 * time.Second, Assessment: a,
		Predicted: a.Prediction(procinspect.SIGTERM, predict.Host), StopEnded: false,
		After: 10*time.Second + 30*time.Millisecond, Exit: 137,
		Held: procinspect.Flag{}} // the prediction was unknown, so it neither held nor failed
}

func TestGoldenTry(t *testing.T) {
	for name, root := range map[string]string{"shared": sharedRoot, "hostile": hostileRoot} {
		t.Run(name, func(t *testing.T) {
			r := recordedTry(t, root)
			var b bytes.Buffer
			if err := render.WriteTry(&b, r); err != nil {
				t.Fatal(err)
			}
			b.WriteString("\n--- JSON ---\n")
			if err := document.Write(&b, document.TryDocOf(r)); err != nil {
				t.Fatal(err)
			}
			noRaw(t, b.Bytes())
			golden.RequireEqual(t, b.Bytes())
		})
	}
}

func TestGoldenKernel(t *testing.T) {
	var b bytes.Buffer
	if err := render.WriteKernel(&b, kernel()); err != nil {
		t.Fatal(err)
	}
	b.WriteString("\n--- JSON ---\n")
	if err := document.Write(&b, document.DocKernelOf(kernel())); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, b.Bytes())
}

// TestRenderersShareOneAssessment: the table, explain and the JSON document
// of one snapshot read the same assessments, made once by Assess; rendering
// predicts nothing.
func TestRenderersShareOneAssessment(t *testing.T) {
	snap := scan(t, sharedRoot, 4242)
	snap.Kernel = kernel()
	inits := 0
	for _, ns := range snap.Namespaces {
		if ns.Init != nil {
			inits++
		}
	}
	before := predict.PredictCalls()
	as := predict.Assess(snap, snap.Kernel)
	// Each init's assessment makes at least its 10 predictions (forwarders
	// predict their child too).
	if made, min := predict.PredictCalls()-before, int64(inits*len(predict.AssessedSignals)*len(predict.Senders)); made < min {
		t.Errorf("Assess predicted %d times for %d inits; want at least %d", made, inits, min)
	}
	for i := range 2 {
		again := predict.PredictCalls()
		var b bytes.Buffer
		if err := render.WriteTable(&b, as); err != nil {
			t.Fatal(err)
		}
		if err := render.WriteExplain(&b, as, snap.Process(4242)); err != nil {
			t.Fatal(err)
		}
		if err := document.Write(&b, document.Report(snap, as)); err != nil {
			t.Fatal(err)
		}
		if got := predict.PredictCalls() - again; got != 0 {
			t.Errorf("rendering #%d predicted %d times; want 0: renderers read the Assessments", i+1, got)
		}
	}
}

// TestStateEscapedAsTheTableShowsIt: a process's state byte comes from a
// status file the process (or a --proc tree) controls; the JSON document
// (WriteReport, the --json path, and Report) gives it as explain shows it,
// escaped by procinspect.Printable, for the init and its process entry: a
// raw ESC in a JSON string is a raw ESC for whoever prints it.
func TestStateEscapedAsTheTableShowsIt(t *testing.T) {
	for _, st := range []byte{0x1b, 0xff, 0x9b, 0x7f, 0x01, '"', '\\', 'S'} {
		snap := scan(t, hostileRoot, 4242)
		snap.Kernel = kernel()
		p := snap.Process(4242)
		p.Status.State = st
		as := assessed(snap)
		want := render.State(st)
		var ex bytes.Buffer
		if err := render.WriteExplain(&ex, as, p); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ex.String(), "state: "+want+"   ") {
			t.Errorf("state %#x: explain lacks %q:\n%s", st, "state: "+want, ex.String())
		}
		var b bytes.Buffer
		if err := document.WriteReport(&b, snap, as); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Namespaces []struct {
				Init *struct {
					PID   int     `json:"pid"`
					State *string `json:"state"`
				} `json:"init"`
				Processes []struct {
					PID   int     `json:"pid"`
					State *string `json:"state"`
				} `json:"processes"`
			} `json:"namespaces"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, ns := range doc.Namespaces {
			if ns.Init != nil && ns.Init.PID == 4242 {
				seen++
				if ns.Init.State == nil || *ns.Init.State != want {
					t.Errorf("state %#x: init's JSON state %q, explain shows %q", st, deref(ns.Init.State), want)
				}
			}
			for _, q := range ns.Processes {
				if q.PID == 4242 {
					seen++
					if q.State == nil || *q.State != want {
						t.Errorf("state %#x: process's JSON state %q, explain shows %q", st, deref(q.State), want)
					}
				}
			}
		}
		if seen != 2 {
			t.Errorf("state %#x: PID 4242 found %d times in the document (init and process); want 2", st, seen)
		}
		noRaw(t, []byte(want))
		// explain --json's threads (the fixture's thread 4243 has the C1
		// byte 0x9b as its state).
		tasks := document.ExplainOf(as, p).Tasks
		if len(tasks) == 0 || p.Deep == nil || len(tasks) != len(p.Deep.Threads) {
			t.Fatalf("explain of 4242 has %d tasks; want its threads", len(tasks))
		}
		for i, th := range p.Deep.Threads {
			if w := render.State(th.Status.State); tasks[i].State == nil || *tasks[i].State != w {
				t.Errorf("thread %d: explain's JSON state %q, explain shows %q", th.TID, deref(tasks[i].State), w)
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}
