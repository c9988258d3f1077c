package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sigview/sigview/nsutil"
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
		Where(s), len(s.Processes), NamespaceCount(s, "PID namespaces"), inits, s.Time.Format("15:04:05"))
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
		fmt.Fprintf(w, "warning: %s\n", Text(warn))
	}
	return nil
}

// NamespaceCount says how many namespaces there are ("4 PID namespaces"
// with noun "PID namespaces"), and how many processes are in ones that
// could not be told apart.
func NamespaceCount(s *procinspect.Snapshot, noun string) string {
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
	row := []string{id, level, ContainerText(ns.Container()), "-", "(init not visible)", fmt.Sprint(len(ns.Procs)), "-", "-", "-", "-"}
	if p := ns.Init; p != nil {
		row[3] = fmt.Sprint(p.PID)
		row[4] = Text(p.Name())
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

// ContainerText names a container in a few cells: "docker 3f4e5a6b7c8d",
// "lxc web1", or "-".
func ContainerText(c *nsutil.Container) string {
	if c == nil {
		return "-"
	}
	return c.Runtime + " " + Text(c.Short())
}

// WriteKernel writes the kernel profile of `sigview kernel`.
func WriteKernel(w io.Writer, k *procinspect.Kernel) error {
	fmt.Fprintf(w, "kernel %s %s\n", Text(k.Release), Text(k.Version))
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
