package ui

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sigview/sigview/procinspect"
)

// verdictWord is a verdict and outcome as one table cell, e.g. "no:dropped".
func verdictWord(pr procinspect.Prediction) string {
	if pr.Verdict == procinspect.VerdictUnknown {
		return "unknown"
	}
	return string(pr.Verdict) + ":" + string(pr.Outcome)
}

// Where describes where sigview runs, as one line.
func Where(s *procinspect.Snapshot) string {
	v := s.Viewer
	var where string
	switch {
	case !v.Initial.Known:
		where = "sigview's own PID namespace is unknown (" + v.Err + ")"
	case v.Initial.V:
		where = "on the host (initial PID namespace " + v.NS.String() + ")"
	default:
		where = "inside PID namespace " + v.NS.String() + ", not the host's: only namespaces at or below it are visible, and \"host\" means a sender in any ancestor namespace"
	}
	if s.Root != "/proc" {
		where += "; reading " + s.Root
	}
	return where
}

// WriteTable writes the plain namespace table of `sigview --once`.
func WriteTable(w io.Writer, s *procinspect.Snapshot) error {
	inits := 0
	for _, ns := range s.Namespaces {
		if ns.Init != nil {
			inits++
		}
	}
	fmt.Fprintf(w, "sigview %s\n%d processes, %d PID namespaces, %d inits visible; scanned %s",
		Where(s), len(s.Processes), len(s.Namespaces), inits, s.Time.Format("15:04:05"))
	if s.Vanished > 0 {
		fmt.Fprintf(w, "; %d exited during the scan", s.Vanished)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PIDNS\tLVL\tCONTAINER\tINIT\tNAME\tPROCS\tTERM inside\tTERM host\tKILL inside\tKILL host")
	for _, ns := range s.Namespaces {
		fmt.Fprintln(tw, strings.Join(tableRow(ns), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", procinspect.Printable(warn))
	}
	return nil
}

// tableRow renders one namespace as table cells.
func tableRow(ns *procinspect.Namespace) []string {
	id := "unknown"
	if !ns.ID.IsZero() {
		id = ns.ID.String()
	}
	if ns.Level > 0 {
		id = strings.Repeat("  ", ns.Level-1) + "└ " + id
	}
	level := "?"
	if ns.Level >= 0 {
		level = fmt.Sprint(ns.Level)
	}
	row := []string{id, level, containerText(ns.Container()), "-", "(init not visible)", fmt.Sprint(len(ns.Procs)), "-", "-", "-", "-"}
	if p := ns.Init; p != nil {
		row[3] = fmt.Sprint(p.PID)
		row[4] = procinspect.Printable(p.Name())
		i := 6
		for _, sig := range procinspect.CoreSignals {
			for _, from := range procinspect.Senders {
				row[i] = verdictWord(procinspect.Predict(p, sig, from))
				i++
			}
		}
	}
	return row
}
