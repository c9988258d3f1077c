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
		name = " (" + procinspect.Printable(r.Container.Name) + ")"
	}
	ew.printf("%s ran %s as container %s%s, init PID %d on the host\n", r.Engine, procinspect.Printable(r.Image), procinspect.Printable(shortID(r.ID)), name, r.Pid)
	pr := r.Predicted
	ew.printf("predicted: %s\n", procinspect.Printable(pr.Summary))
	ew.printf("  from %s\n", procinspect.Printable(pr.From()))
	ew.printf("%s stop took %s; the engine reports exit code %d\n", r.Engine, r.Took.Round(10*time.Millisecond), r.Exit)
	switch {
	case !r.Held.Known:
		ew.printf("not judged: %s\n", procinspect.Printable(r.Why))
	case r.Held.V:
		ew.printf("the prediction held\n")
	default:
		ew.printf("the prediction did NOT hold: %s\n", procinspect.Printable(r.Why))
	}
	return ew.err
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
