package render

import (
	"io"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
)

// WriteEngineTry writes the report of `sigview try --docker/--podman`.
func WriteEngineTry(w io.Writer, r act.EngineTryReport) error {
	ew := &errWriter{w: w}
	name := ""
	if r.Container != nil && r.Container.Name != "" {
		name = " (" + Text(r.Container.Name) + ")"
	}
	ew.printf("%s ran %s as container %s%s, init PID %d on the host\n", r.Engine, Text(r.Image), Text(shortID(r.ID)), name, r.Pid)
	pr := r.Predicted
	ew.printf("predicted: %s\n", Text(pr.Summary))
	ew.printf("  from %s\n", Text(pr.From()))
	ew.printf("%s stop took %s; the engine reports exit code %d\n", r.Engine, r.Took.Round(10*time.Millisecond), r.Exit)
	switch {
	case !r.Held.Known:
		ew.printf("not judged: %s\n", Text(r.Why))
	case r.Held.V:
		ew.printf("the prediction held\n")
	default:
		ew.printf("the prediction did NOT hold: %s\n", Text(r.Why))
	}
	return ew.err
}

// EngineTryDoc is the JSON of `sigview try --docker/--podman --json`.
type EngineTryDoc struct {
	Engine      string              `json:"engine"`
	Image       string              `json:"image"`
	ContainerID string              `json:"container_id"`
	Name        string              `json:"name,omitempty"`
	HostPID     int                 `json:"host_pid"`
	Predicted   procinspect.DocStop `json:"predicted"`
	Seconds     float64             `json:"seconds"`
	ExitCode    int                 `json:"exit_code"`
	Held        *bool               `json:"prediction_held"`
	Why         string              `json:"why,omitempty"`
	Status      int                 `json:"status"`
}

// EngineTryDocOf converts a report; predicted is the document's stop object.
func EngineTryDocOf(r act.EngineTryReport) EngineTryDoc {
	d := EngineTryDoc{Engine: r.Engine, Image: Text(r.Image), ContainerID: r.ID, HostPID: r.Pid,
		Predicted: procinspect.DocStopOf(r.Predicted), Seconds: r.Took.Seconds(), ExitCode: r.Exit, Why: Text(r.Why), Status: r.ExitCode()}
	if r.Container != nil {
		d.Name = Text(r.Container.Name)
	}
	if r.Held.Known {
		d.Held = &r.Held.V
	}
	return d
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
