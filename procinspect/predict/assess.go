package predict

import (
	"sync"
	"sync/atomic"

	"github.com/sigview/sigview/procinspect"
)

// AssessedSignals are the signals every Assessment predicts, from both
// senders: the core two of the table and the JSON document first, then
// those explain, the detail view and the send dialog add.
var AssessedSignals = []Signal{procinspect.SIGTERM, procinspect.SIGKILL, procinspect.SIGINT, procinspect.SIGHUP, procinspect.SIGQUIT}

// CoreSignals are the predictions every init carries (docs/json.md).
var CoreSignals = AssessedSignals[:2]

// Senders lists both senders in display order.
var Senders = []Sender{Inside, Host}

// Assessment is everything sigview predicts about one process: every
// prediction a renderer shows, the program, the container stops and the fix
// hint. The renderers (the --once table, explain, the JSON document, the
// TUI, the metrics and the try report) only read it.
type Assessment struct {
	// Process is the process assessed.
	Process *process
	// Program is what sigview recognised it as; ProgUnknown when nothing.
	Program procinspect.Program
	// Predictions holds AssessedSignals × Senders, signal-major: for each
	// signal, Inside then Host. Core returns the first four.
	Predictions []Prediction
	// Stops is what each container engine's stop does (nil unless the
	// process is the init of a non-host namespace).
	Stops []Stop
	// Hint says how to make SIGTERM from the host end it; "" when it does,
	// or nothing useful can be said.
	Hint string

	kernel *procinspect.Kernel
}

// assess predicts everything about p that a renderer shows.
func assess(p *process, k *procinspect.Kernel) *Assessment {
	a := &Assessment{Process: p, Program: procinspect.Identify(p), kernel: k,
		Predictions: make([]Prediction, 0, len(AssessedSignals)*len(Senders))}
	for _, sig := range AssessedSignals {
		for _, from := range Senders {
			a.Predictions = append(a.Predictions, Predict(p, sig, from, k))
		}
	}
	a.Stops = stopsFor(p, a.hostPrediction)
	a.Hint = fixHint(p, a.Prediction(StopSignal(a.Stops), Host), a.Stops)
	return a
}

// AssessProcess assesses one process alone, for a command that acts on it
// (send, try): the same Assessment Assess makes, without every init's.
func AssessProcess(p *process, k *procinspect.Kernel) *Assessment { return assess(p, k) }

// Core returns the predictions of CoreSignals × Senders, in the order of
// the table's columns: TERM inside, TERM host, KILL inside, KILL host.
func (a *Assessment) Core() []Prediction {
	return a.Predictions[:len(CoreSignals)*len(Senders)]
}

// Prediction returns the prediction of sig from the given sender: the one
// kept when sig is among AssessedSignals, else a fresh one (the send
// command's arbitrary signal), made from the same facts and kernel profile.
func (a *Assessment) Prediction(sig Signal, from Sender) Prediction {
	for _, pr := range a.Predictions {
		if pr.Signal == sig && pr.From == from {
			return pr
		}
	}
	return Predict(a.Process, sig, from, a.kernel)
}

func (a *Assessment) hostPrediction(sig Signal) Prediction { return a.Prediction(sig, Host) }

// Assessments are the assessments of one snapshot, made by whoever holds
// the snapshot (the UI's scan command, serve's scan, a command's one scan)
// and read by every renderer: no renderer predicts on its own.
type Assessments struct {
	// Snapshot is what was assessed; Kernel the profile it was judged with.
	Snapshot *procinspect.Snapshot
	Kernel   *procinspect.Kernel

	mu         sync.Mutex
	of         map[*process]*Assessment
	insideTERM map[*process]Prediction
}

// Assess judges a snapshot with a kernel profile: every namespace init's
// Assessment, at once. Another process (explain's, send's target) is
// assessed when first asked for (Of).
func Assess(s *procinspect.Snapshot, k *procinspect.Kernel) *Assessments {
	as := &Assessments{Snapshot: s, Kernel: k, of: map[*process]*Assessment{}}
	for _, ns := range s.Namespaces {
		if ns.Init != nil {
			as.of[ns.Init] = assess(ns.Init, k)
		}
	}
	return as
}

// Of returns the assessment of p, a process of the snapshot. Safe for
// concurrent use (serve's scrapes).
func (as *Assessments) Of(p *process) *Assessment {
	as.mu.Lock()
	defer as.mu.Unlock()
	if a := as.of[p]; a != nil {
		return a
	}
	a := assess(p, as.Kernel)
	as.of[p] = a
	return a
}

// InsideTERM returns what SIGTERM from inside its namespace does to p (the
// detail view's process list): from p's Assessment when it has one, else
// the single prediction, made once.
func (as *Assessments) InsideTERM(p *process) Prediction {
	as.mu.Lock()
	defer as.mu.Unlock()
	if a := as.of[p]; a != nil {
		return a.Prediction(procinspect.SIGTERM, Inside)
	}
	if pr, ok := as.insideTERM[p]; ok {
		return pr
	}
	if as.insideTERM == nil {
		as.insideTERM = map[*process]Prediction{}
	}
	pr := Predict(p, procinspect.SIGTERM, Inside, as.Kernel)
	as.insideTERM[p] = pr
	return pr
}

// predictCalls counts calls of Predict, for PredictCalls.
var predictCalls atomic.Int64

// PredictCalls returns how many predictions this program has made so far.
// Tests use it to prove that renderers read the Assessments instead of
// predicting once per frame.
func PredictCalls() int64 { return predictCalls.Load() }
