package document

import (
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
)

// TryDoc is the JSON report of `sigview try`.
type TryDoc struct {
	Command     []string        `json:"command"`
	HostPID     int             `json:"host_pid"`
	UserNS      bool            `json:"user_namespace"`
	Program     *string         `json:"program"`
	Predicted   DocPrediction   `json:"predicted"`
	Predictions []DocPrediction `json:"predictions"`
	StopSignal  string          `json:"stop_signal"`
	StopSignalN int             `json:"stop_signal_number"`
	// GraceSeconds is the grace period given to the stop signal (--grace).
	GraceSeconds float64 `json:"grace_seconds"`
	EndedBy      string  `json:"ended_by"` // "stop signal" or "SIGKILL"
	Seconds      float64 `json:"seconds"`
	ExitCode     int     `json:"exit_code"`
	Held         *bool   `json:"prediction_held"`
	Hint         *string `json:"hint"`
	Status       int     `json:"status"`
}

// TryDocOf converts a try report.
func TryDocOf(r act.TryReport) TryDoc {
	d := TryDoc{Command: make([]string, len(r.Argv)), HostPID: r.HostPID, UserNS: r.UserNS,
		Predicted: DocPredictionOf(r.Predicted), StopSignal: r.Predicted.Signal.String(), StopSignalN: int(r.Predicted.Signal), EndedBy: "SIGKILL", GraceSeconds: r.Grace.Seconds(),
		Seconds: r.After.Seconds(), ExitCode: r.Exit, Status: r.ExitCode()}
	for i, a := range r.Argv {
		d.Command[i] = procinspect.Printable(a)
	}
	if r.StopEnded {
		d.EndedBy = "stop signal"
	}
	if r.Assessment != nil && r.Assessment.Program != procinspect.ProgUnknown {
		d.Program = ptr(string(r.Assessment.Program))
	}
	for _, pr := range r.Core() {
		d.Predictions = append(d.Predictions, DocPredictionOf(pr))
	}
	if r.Held.Known {
		d.Held = ptr(r.Held.V)
	}
	if h := r.Hint(); h != "" {
		d.Hint = ptr(h)
	}
	return d
}

// EngineTryDoc is the JSON of `sigview try --docker/--podman --json`.
type EngineTryDoc struct {
	Engine      string  `json:"engine"`
	Image       string  `json:"image"`
	ContainerID string  `json:"container_id"`
	Name        string  `json:"name,omitempty"`
	HostPID     int     `json:"host_pid"`
	Predicted   DocStop `json:"predicted"`
	Seconds     float64 `json:"seconds"`
	ExitCode    int     `json:"exit_code"`
	Held        *bool   `json:"prediction_held"`
	Why         string  `json:"why,omitempty"`
	Status      int     `json:"status"`
}

// EngineTryDocOf converts a report; predicted is the document's stop object.
func EngineTryDocOf(r act.EngineTryReport) EngineTryDoc {
	d := EngineTryDoc{Engine: r.Engine, Image: procinspect.Printable(r.Image), ContainerID: r.ID, HostPID: r.Pid,
		Predicted: DocStopOf(r.Predicted), Seconds: r.Took.Seconds(), ExitCode: r.Exit, Why: procinspect.Printable(r.Why), Status: r.ExitCode()}
	if r.Container != nil {
		d.Name = procinspect.Printable(r.Container.Name)
	}
	if r.Held.Known {
		d.Held = &r.Held.V
	}
	return d
}
