package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
	"github.com/sigview/sigview/procinspect/predict"
)

// verdictWord is a verdict and outcome as one table cell, e.g. "no:dropped".
func verdictWord(pr predict.Prediction) string {
	if pr.Verdict == predict.VerdictUnknown {
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
func WriteTable(w io.Writer, as *predict.Assessments) error {
	s := as.Snapshot
	inits := 0
	for _, ns := range s.Namespaces {
		if ns.Init != nil {
			inits++
		}
	}
	fmt.Fprintf(w, "sigview %s\n%s, %s, %s visible; scanned %s",
		Where(s), Plural(len(s.Processes), "process"), NamespaceCount(s, "PID namespace"), Plural(inits, "init"), s.Time.Format("15:04:05"))
	if s.Vanished > 0 {
		fmt.Fprintf(w, "; %d exited during the scan", s.Vanished)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	cells := make([]string, len(Columns))
	for i, c := range Columns {
		cells[i] = c.Header
	}
	fmt.Fprintln(tw, strings.Join(cells, "\t"))
	for _, ns := range s.Namespaces {
		r := NewRow(as, ns)
		for i, c := range Columns {
			cells[i] = c.Cell(r)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", procinspect.Printable(warn))
	}
	return nil
}

// NamespaceCount says how many namespaces there are ("4 PID namespaces"
// with noun "PID namespace"), and how many processes are in ones that
// could not be told apart.
func NamespaceCount(s *procinspect.Snapshot, noun string) string {
	n, unknown := s.NamespaceCount()
	out := Plural(n, noun)
	if unknown > 0 {
		out += fmt.Sprintf(" (+ %s in unidentified ones)", Plural(unknown, "process"))
	}
	return out
}

// Plural writes "1 process", "2 processes", "1 init", "2 inits"; the
// last word of a phrase is the one made plural ("2 PID namespaces").
func Plural(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case strings.HasSuffix(word, "s"):
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// StopCell says in a few cells what the engine's stop does: "SIGTERM:143
// at once", "SIGINT:137 after 3s", "SIGTERM:depends (10s)", "SIGTERM:? (10s)".
func StopCell(st predict.Stop) string {
	sig := "?"
	if st.Signal != 0 {
		sig = st.Signal.String()
	}
	exit := "?"
	if st.Exit.Known {
		exit = fmt.Sprint(st.Exit.V)
	}
	g := fmt.Sprintf("%ds", int(st.Grace.Seconds()))
	switch {
	case st.Grace < 0 && !st.After.Known && st.Verdict == predict.No:
		return sig + ":hangs (no SIGKILL)"
	case st.Grace < 0 && !st.After.Known:
		return sig + ":depends (no SIGKILL)"
	case st.After.Known && st.AfterGrace:
		return sig + ":" + exit + " after " + g
	case st.After.Known:
		return sig + ":" + exit + " at once"
	case st.Verdict == predict.Depends:
		return sig + ":depends (" + g + ")"
	}
	return sig + ":? (" + g + ")"
}

// ContainerText names a namespace's container in a few cells: "docker web1
// (shop/web:1.2, --init)" (name, image and init from the engine's files),
// "docker 3f4e5a6b7c8d", "lxc web1", or "-".
func ContainerText(ns *procinspect.Namespace) string {
	c := ns.Container()
	if c == nil {
		return "-"
	}
	name := c.Short()
	var more []string
	if m := ns.Engine(); m != nil {
		if m.Name != "" {
			name = m.Name
		}
		if m.Image != "" {
			more = append(more, m.Image)
		}
		if m.Init.Known && m.Init.Value {
			more = append(more, "--init")
		}
	}
	if len(more) > 0 {
		return c.Runtime + " " + procinspect.Printable(name) + " (" + procinspect.Printable(strings.Join(more, ", ")) + ")"
	}
	return c.Runtime + " " + procinspect.Printable(name)
}

// ContainerLong names a container with what its engine's files say (name,
// image, init, pod), its pod and the evidence.
func ContainerLong(c *engine.Container, m *engine.Metadata) string {
	s := c.Runtime + " " + procinspect.Printable(c.Short())
	if m != nil {
		if m.Name != "" {
			s = c.Runtime + " " + procinspect.Printable(m.Name) + " (" + procinspect.Printable(c.Short()) + ")"
		}
		if m.Image != "" {
			s += ", image " + procinspect.Printable(m.Image)
		}
		if m.Init.Known {
			s += map[bool]string{true: ", with --init", false: ", no --init"}[m.Init.Value]
		}
		if m.Pod.Name != "" {
			s += ", pod " + procinspect.Printable(m.Pod.Namespace+"/"+m.Pod.Name)
			if m.ContainerName != "" {
				s += " container " + procinspect.Printable(m.ContainerName)
			}
		}
	}
	if c.PodUID != "" {
		s += " in pod " + procinspect.Printable(c.PodUID)
	}
	if c.Outer != nil {
		s += " inside " + c.Outer.Runtime + " " + procinspect.Printable(c.Outer.Short())
	}
	return s + " (from cgroup " + procinspect.Printable(c.Path) + ")"
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
