package ui

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

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
	fmt.Fprintf(w, "sigview %s\n%d processes, %s, %d inits visible; scanned %s",
		Where(s), len(s.Processes), namespaceCount(s, "PID namespaces"), inits, s.Time.Format("15:04:05"))
	if s.Vanished > 0 {
		fmt.Fprintf(w, "; %d exited during the scan", s.Vanished)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PIDNS\tLVL\tCONTAINER\tINIT\tNAME\tPROCS\tTERM inside\tTERM host\tKILL inside\tKILL host")
	for _, ns := range s.Namespaces {
		fmt.Fprintln(tw, strings.Join(tableRow(ns, s.Kernel), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", procinspect.Printable(warn))
	}
	return nil
}

// namespaceCount says how many namespaces there are ("4 PID namespaces"
// with noun "PID namespaces"), and how many processes are in ones that
// could not be told apart.
func namespaceCount(s *procinspect.Snapshot, noun string) string {
	n, unknown := s.NamespaceCount()
	out := fmt.Sprintf("%d %s", n, noun)
	if unknown > 0 {
		out += fmt.Sprintf(" (+ %d processes in unidentified ones)", unknown)
	}
	return out
}

// tableRow renders one namespace as table cells.
func tableRow(ns *procinspect.Namespace, k *procinspect.Kernel) []string {
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
				row[i] = verdictWord(procinspect.Predict(p, sig, from, k))
				i++
			}
		}
	}
	return row
}

// WriteTry writes the report of `sigview try`.
func WriteTry(w io.Writer, r procinspect.TryReport) error {
	ew := &errWriter{w: w}
	cmd := make([]string, len(r.Argv))
	for i, a := range r.Argv {
		cmd[i] = procinspect.Printable(a)
	}
	where := "a new PID namespace"
	if r.UserNS {
		where = "new user and PID namespaces"
	}
	ew.printf("sigview try: %s ran as PID 1 of %s (PID %d here)\n", strings.Join(cmd, " "), where, r.HostPID)
	if r.Init != nil {
		if pg := procinspect.Identify(r.Init); pg != procinspect.ProgUnknown {
			ew.printf("recognised as: %s\n", pg)
		}
	}
	ew.printf("\nPredictions:\n")
	for _, pr := range r.Predictions {
		ew.printf("  %-7s from %-6s %s/%s: %s\n", pr.Signal, pr.From, pr.Verdict, pr.Outcome, pr.Reason)
	}
	pr := r.Predicted
	if r.Grace == 0 {
		ew.printf("\nStop: %s from the host, then SIGKILL at once (--grace 0)\n", pr.Signal)
	} else {
		ew.printf("\nStop: %s from the host, then SIGKILL after %s\n", pr.Signal, r.Grace)
	}
	ew.printf("  predicted: %s (%s): %s\n", pr.Verdict, pr.Outcome, pr.Reason)
	if r.StopEnded {
		ew.printf("  happened:  %s ended it after %.3f s, exit status %d\n", pr.Signal, r.After.Seconds(), r.Exit)
	} else {
		ew.printf("  happened:  %s did not end it; SIGKILL after %s, exit status %d\n", pr.Signal, r.After.Round(100*time.Millisecond), r.Exit)
	}
	switch {
	case !r.Held.Known && r.Grace == 0 && !r.StopEnded:
		ew.printf("  not judged: SIGKILL followed at once, so %s had no time to act\n", pr.Signal)
	case !r.Held.Known:
		ew.printf("  the program's own code decided, as predicted (%s)\n", pr.Verdict)
	case r.Held.V:
		ew.printf("  the prediction held\n")
	default:
		ew.printf("  the prediction did NOT hold: please report this with `sigview explain` output\n")
	}
	if r.Hint != "" && !r.StopEnded {
		ew.printf("\nFix: %s\n", r.Hint)
	}
	ew.printf("\nresult: %s\n", tryResult(r))
	return ew.err
}

func tryResult(r procinspect.TryReport) string {
	switch r.ExitCode() {
	case procinspect.TryMismatch:
		return fmt.Sprintf("prediction mismatch (status %d)", procinspect.TryMismatch)
	case procinspect.TryNeededKill:
		return fmt.Sprintf("needed SIGKILL, like docker stop's exit 137 (status %d)", procinspect.TryNeededKill)
	}
	return fmt.Sprintf("the stop signal ended it within the grace period (status %d)", procinspect.TryEndedByStop)
}

// WriteKernel writes the kernel profile of `sigview kernel`.
func WriteKernel(w io.Writer, k *procinspect.Kernel) error {
	fmt.Fprintf(w, "kernel %s %s\n", procinspect.Printable(k.Release), procinspect.Printable(k.Version))
	switch {
	case k.ProbedAt.IsZero():
		fmt.Fprintf(w, "%s\n", k.Method)
	case k.Source == "cache":
		fmt.Fprintf(w, "measured %s in %.0f ms, %s; read from the cache of this boot (boot_id %s)\n",
			k.ProbedAt.Format("2006-01-02 15:04:05 MST"), float64(k.Took.Microseconds())/1000, k.Method, k.BootID)
	default:
		fmt.Fprintf(w, "measured now in %.0f ms, %s\n", float64(k.Took.Microseconds())/1000, k.Method)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nRULE\tVALUE\tHOW")
	for _, name := range procinspect.AllRules {
		r := k.Rule(name)
		v := "unknown"
		if r.Value.Known {
			v = map[bool]string{true: "yes", false: "no"}[r.Value.V]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, v, r.How)
	}
	return tw.Flush()
}
