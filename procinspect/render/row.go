package render

import (
	"fmt"
	"strings"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// Row is one namespace as a table shows it: the cells of `sigview --once`
// and of the TUI's main view, computed once from the snapshot and its
// assessments (the k9s "render" idea: the table only lays it out).
type Row struct {
	// ID is the namespace's inode, its init ("init PID N"), or "unknown".
	ID string
	// Level is the depth below the procfs' own namespace; -1 when unknown.
	Level int
	// Container names its container ("docker web1") or is "-".
	Container string
	// PID and Name are its init's, or "-" and "(init not visible)".
	PID, Name string
	// Procs counts its processes.
	Procs string
	// Predictions are the init's CoreSignals × Senders (TERM inside, TERM
	// host, KILL inside, KILL host); nil when the init is not visible.
	Predictions []predict.Prediction
	// Stop is what the container engine's stop does (StopCell), or "-".
	Stop string
}

// NewRow makes the row of one namespace of the snapshot.
func NewRow(as *predict.Assessments, ns *procinspect.Namespace) Row {
	r := Row{ID: "unknown", Level: ns.Level, Container: ContainerText(ns), PID: "-", Name: "(init not visible)",
		Procs: fmt.Sprint(len(ns.Procs)), Stop: "-"}
	if !ns.ID.IsZero() {
		r.ID = ns.ID.String()
	}
	if p := ns.Init; p != nil {
		r.PID = fmt.Sprint(p.PID)
		r.Name = procinspect.Printable(p.Name())
		a := as.Of(p)
		r.Predictions = a.Core()
		if len(a.Stops) > 0 {
			r.Stop = StopCell(a.Stops[0])
		}
	}
	return r
}

// TreeID is the ID indented under its parent: "  └ 4026532201".
func (r Row) TreeID() string {
	if r.Level > 0 {
		return strings.Repeat("  ", r.Level-1) + "└ " + r.ID
	}
	return r.ID
}

// cells are the columns of the plain table (WriteTable).
func (r Row) cells() []string {
	level := "?"
	if r.Level >= 0 {
		level = fmt.Sprint(r.Level)
	}
	row := []string{r.TreeID(), level, r.Container, r.PID, r.Name, r.Procs, "-", "-", "-", "-", r.Stop}
	for i, pr := range r.Predictions {
		row[6+i] = verdictWord(pr)
	}
	return row
}
