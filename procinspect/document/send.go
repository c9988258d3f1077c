package document

import "github.com/sigview/sigview/procinspect/act"

// Send is the JSON report of `sigview send --json` (docs/json.md).
type Send struct {
	PID       int           `json:"pid"`
	Signal    string        `json:"signal"`
	SignalNum int           `json:"signal_number"`
	From      string        `json:"from"`
	Predicted DocPrediction `json:"predicted"`
	Ended     bool          `json:"ended"`
	Seconds   float64       `json:"seconds"`
	ExitCode  *int          `json:"exit_code"`
	State     *string       `json:"state"`
	Pending   *bool         `json:"pending"`
	Held      *bool         `json:"prediction_held"`
	Summary   string        `json:"summary"`
	Status    int           `json:"status"`
}

func SendOf(r act.SendReport, status int) Send {
	d := Send{PID: r.PID, Signal: r.Signal.String(), SignalNum: int(r.Signal), From: string(r.From), Predicted: DocPredictionOf(r.Prediction),
		Ended: r.Ended, Seconds: r.After.Seconds(), Summary: r.Summary, Status: status}
	if r.Exit.Known {
		d.ExitCode = ptr(r.Exit.V)
	}
	if !r.Ended && r.State != 0 { // alive, and its status was read
		d.State, d.Pending = statePtr(r.State), ptr(r.Pending)
	}
	if r.Held.Known {
		d.Held = ptr(r.Held.V)
	}
	return d
}
