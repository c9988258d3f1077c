package render

import (
	"fmt"
	"strings"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// Row is one namespace as the namespace table shows it, computed once from
// the snapshot and its assessments; Columns turn it into the cells of
// `sigview --once` and of the TUI's main view (the k9s "render" idea: the
// table only lays it out).
type Row struct {
	// ID is the namespace's inode, its init ("init PID N"), or "unknown".
	ID string
	// Level is the depth below the procfs' own namespace; -1 when unknown.
	Level int
	// Container names its container ("docker web1") or is "-".
	Container string
	// ContainerName, ContainerImage and ContainerInit are Container's
	// parts, escaped, for a screen that fits them to a width: "docker
	// web1", "shop/web:1.2", and whether it runs with --init.
	ContainerName, ContainerImage string
	ContainerInit                 bool
	// PID and Name are its init's, or "-" and "(init not visible)".
	PID, Name string
	// Procs counts its processes.
	Procs string
	// Predictions are the init's CoreSignals × Senders (TERM inside, TERM
	// host, KILL inside, KILL host); nil when the init is not visible.
	Predictions []predict.Prediction
	// Stop is what the container engine's stop does (StopCell), or "-".
	Stop string
	// StopAssumed is set when the stop's signal or grace period was
	// assumed (Stop carries a *).
	StopAssumed bool
	// NeedsSIGKILL is whether the stop that applies needs SIGKILL (its
	// verdict is no); unknown for depends, unknown and no stop.
	NeedsSIGKILL procinspect.Flag
	// StopSeconds is how long the stop is expected to take (0 at once, the
	// grace when SIGKILL is needed); unknown when the program decides or
	// no stop applies.
	StopSeconds procinspect.Int
}

// NewRow makes the row of one namespace of the snapshot.
func NewRow(as *predict.Assessments, ns *procinspect.Namespace) Row {
	r := Row{ID: "unknown", Level: ns.Level, Container: ContainerText(ns), PID: "-", Name: "(init not visible)",
		Procs: fmt.Sprint(len(ns.Procs)), Stop: "-"}
	r.ContainerName, r.ContainerImage, r.ContainerInit = containerParts(ns)
	if !ns.ID.IsZero() {
		r.ID = ns.ID.String()
	}
	if p := ns.Init; p != nil {
		r.PID = fmt.Sprint(p.PID)
		r.Name = procinspect.Printable(p.Name())
		a := as.Of(p)
		r.Predictions = a.Core()
		if st, ok := a.AppliedStop(); ok {
			r.Stop, r.StopAssumed, r.NeedsSIGKILL = StopCell(st), st.Assumed(), st.NeedsSIGKILL()
			if st.After.Known {
				r.StopSeconds = procinspect.KnownInt(0)
				if st.AfterGrace {
					r.StopSeconds = procinspect.KnownInt(int(st.Grace.Seconds()))
				}
			}
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

// Prediction returns the row's prediction of sig from the sender; ok is
// false when the init is not visible (the row has no predictions).
func (r Row) Prediction(sig procinspect.Signal, from predict.Sender) (pr predict.Prediction, ok bool) {
	for _, pr := range r.Predictions {
		if pr.Signal == sig && pr.From == from {
			return pr, true
		}
	}
	return predict.Prediction{}, false
}

// Column is one column of the namespace table, the one definition of its
// title and cell that `sigview --once` (WriteTable) and the TUI's main
// view both lay out.
type Column struct {
	// Header is the column's title in the --once table and on a wide screen.
	Header string
	// Short and Tiny are the title on a narrower and the narrowest screen
	// ("TERM in", "T in"); empty means Header.
	Short, Tiny string
	// Cell is the cell's text in the --once table.
	Cell func(Row) string
	// Verdict is set for the prediction columns: the prediction the cell
	// shows, so a screen can colour it or word it shorter; ok is false
	// when the init is not visible (the cell is "-").
	Verdict func(Row) (pr predict.Prediction, ok bool)
}

// The columns of the namespace table.
var (
	ColPIDNS      = Column{Header: "PIDNS", Cell: Row.TreeID}
	ColLevel      = Column{Header: "LVL", Cell: levelCell}
	ColContainer  = Column{Header: "CONTAINER", Cell: func(r Row) string { return r.Container }}
	ColInit       = Column{Header: "INIT", Cell: func(r Row) string { return r.PID }}
	ColName       = Column{Header: "NAME", Cell: func(r Row) string { return r.Name }}
	ColProcs      = Column{Header: "PROCS", Cell: func(r Row) string { return r.Procs }}
	ColTermInside = verdictColumn("TERM inside", "TERM in", "T in", procinspect.SIGTERM, predict.Inside)
	ColTermHost   = verdictColumn("TERM host", "TERM host", "T hst", procinspect.SIGTERM, predict.Host)
	ColKillInside = verdictColumn("KILL inside", "KILL in", "K in", procinspect.SIGKILL, predict.Inside)
	ColKillHost   = verdictColumn("KILL host", "KILL host", "K hst", procinspect.SIGKILL, predict.Host)
	ColStop       = Column{Header: "STOP", Cell: func(r Row) string { return r.Stop }}
)

// Columns are the columns of `sigview --once`, in order.
var Columns = []Column{ColPIDNS, ColLevel, ColContainer, ColInit, ColName, ColProcs,
	ColTermInside, ColTermHost, ColKillInside, ColKillHost, ColStop}

// verdictColumn is the column of one of the init's core predictions
// (predict.CoreSignals × predict.Senders): "no:dropped", or "-" when the
// init is not visible.
func verdictColumn(header, short, tiny string, sig procinspect.Signal, from predict.Sender) Column {
	pred := func(r Row) (predict.Prediction, bool) { return r.Prediction(sig, from) }
	return Column{Header: header, Short: short, Tiny: tiny, Verdict: pred, Cell: func(r Row) string {
		if pr, ok := pred(r); ok {
			return verdictWord(pr)
		}
		return "-"
	}}
}

func levelCell(r Row) string {
	if r.Level < 0 {
		return "?"
	}
	return fmt.Sprint(r.Level)
}
