package procinspect

import "sync/atomic"

// AssessedSignals are the signals every Assessment predicts, from both
// senders: the core two of the table and the JSON document first, then
// those explain, the detail view and the send dialog add.
var AssessedSignals = []Signal{SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGQUIT}

// CoreSignals are the predictions every init carries (docs/json.md).
var CoreSignals = AssessedSignals[:2]

// Senders lists both senders in display order.
var Senders = []Sender{Inside, Host}

// Assessment is everything sigview predicts about one process, computed
// once per snapshot (Snapshot.Assessment) and only read by the renderers:
// the --once table, explain, the JSON document, the TUI and the try report.
type Assessment struct {
	// Process is the process assessed.
	Process *Process
	// Program is what sigview recognised it as; ProgUnknown when nothing.
	Program Program
	// Predictions holds AssessedSignals × Senders, signal-major: for each
	// signal, Inside then Host. Core returns the first four.
	Predictions []Prediction
	// Stops is what each container engine's stop does (nil unless the
	// process is the init of a non-host namespace).
	Stops []Stop
	// Hint says how to make SIGTERM from the host end it; "" when it does,
	// or nothing useful can be said.
	Hint string

	kernel *Kernel
}

// Assess predicts everything about p that a renderer shows. It is the one
// place the engine is run for a scan; use Snapshot.Assessment, which keeps
// the result, rather than calling it per frame.
func Assess(p *Process, k *Kernel) *Assessment {
	a := &Assessment{Process: p, Program: Identify(p), kernel: k,
		Predictions: make([]Prediction, 0, len(AssessedSignals)*len(Senders))}
	for _, sig := range AssessedSignals {
		for _, from := range Senders {
			a.Predictions = append(a.Predictions, Predict(p, sig, from, k))
		}
	}
	a.Stops = stopsFor(p, a.hostPrediction)
	a.Hint = fixHint(p, a.Prediction(SIGTERM, Host), a.Stops)
	return a
}

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

// Assessment returns the assessment of p, computing it on the first call
// and keeping it for the life of the snapshot: a renderer called once per
// frame reads it and never predicts. Safe for concurrent use.
func (s *Snapshot) Assessment(p *Process) *Assessment {
	s.assessMu.Lock()
	defer s.assessMu.Unlock()
	if a := s.assessed[p]; a != nil {
		return a
	}
	if s.assessed == nil {
		s.assessed = map[*Process]*Assessment{}
	}
	a := Assess(p, s.Kernel)
	s.assessed[p] = a
	return a
}

// InsideTERM returns what SIGTERM from inside its namespace does to p (the
// detail view's process list), computed once per snapshot: from p's
// Assessment when it has one, else as the single prediction.
func (s *Snapshot) InsideTERM(p *Process) Prediction {
	s.assessMu.Lock()
	defer s.assessMu.Unlock()
	if a := s.assessed[p]; a != nil {
		return a.Prediction(SIGTERM, Inside)
	}
	if pr, ok := s.insideTERM[p]; ok {
		return pr
	}
	if s.insideTERM == nil {
		s.insideTERM = map[*Process]Prediction{}
	}
	pr := Predict(p, SIGTERM, Inside, s.Kernel)
	s.insideTERM[p] = pr
	return pr
}

// predictCalls counts calls of Predict, for PredictCalls.
var predictCalls atomic.Int64

// PredictCalls returns how many predictions this program has made so far.
// Tests use it to prove that renderers read the Assessment instead of
// predicting once per frame.
func PredictCalls() int64 { return predictCalls.Load() }
