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
	case procfsIsInitial(s):
		// --proc /host/proc from a container: the host's procfs shows
		// every namespace, though sigview itself runs in another.
		return "inside PID namespace " + v.NS.String() + ", reading the host's procfs " + procinspect.Printable(s.Root) +
			": every PID namespace of the host is visible, and \"host\" means a sender in any ancestor namespace"
	default:
		where = "inside PID namespace " + v.NS.String() + ", not the host's: only namespaces at or below it are visible, and \"host\" means a sender in any ancestor namespace"
	}
	if s.Root != "/proc" {
		where += "; reading " + procinspect.Printable(s.Root)
	}
	return where
}

// procfsIsInitial reports whether the procfs' own namespace (level 0) is
// known to be the kernel's initial one.
func procfsIsInitial(s *procinspect.Snapshot) bool {
	for _, ns := range s.Namespaces {
		if ns.Level == 0 {
			return ns.Initial.Known && ns.Initial.V
		}
	}
	return false
}

// EngineNote says, when sigview is not on the host and sees none of the
// engines' files, that every stop is an assumed default and how to let it
// read them; "" otherwise.
func EngineNote(s *procinspect.Snapshot) string {
	if s.EngineFilesSeen || s.Viewer.Initial.Known && s.Viewer.Initial.V {
		return ""
	}
	return "no container engine's files are visible under " + procinspect.Printable(s.EngineRoot) +
		", so every STOP is docker's default, assumed (*); to read each container's own stop, run sigview on the host," +
		" or mount the host's /proc and the engines' state directories read-only under one prefix" +
		" (-v /proc:/host/proc:ro -v /var/lib/docker:/host/var/lib/docker:ro -v /var/lib/containers:/host/var/lib/containers:ro" +
		" -v /run/containerd:/host/run/containerd:ro -v /var/log/pods:/host/var/log/pods:ro) and run with --proc /host/proc"
}

// AssumedLegend is the line under a table whose STOP cells carry a *.
const AssumedLegend = "* assumed: an engine's default, not read from the container's own configuration (sigview explain TARGET says why)"

// TableOptions change what WriteTableWith shows.
type TableOptions struct {
	// NeedsSIGKILL keeps only the namespaces whose configured stop needs
	// SIGKILL (its verdict is no), under their ancestors as context.
	NeedsSIGKILL bool
	// Color greys the context rows (a terminal without NO_COLOR); without
	// it they end with "(ancestor)".
	Color bool
}

// WriteTable writes the plain namespace table of `sigview --once`.
func WriteTable(w io.Writer, as *predict.Assessments) error {
	return WriteTableWith(w, as, TableOptions{})
}

// NeedsSIGKILLRows says which namespaces the "needs SIGKILL" filter keeps:
// match for those whose configured stop's verdict is no, context for their
// ancestors (shown so the tree still reads), and how many were left out
// because their stop depends on the program or is unknown.
func NeedsSIGKILLRows(as *predict.Assessments) (match, context map[*procinspect.Namespace]bool, undecided int) {
	match, context = map[*procinspect.Namespace]bool{}, map[*procinspect.Namespace]bool{}
	for _, ns := range as.Snapshot.Namespaces {
		if ns.Init == nil {
			continue
		}
		n := as.Of(ns.Init).NeedsSIGKILL()
		if _, ok := as.Of(ns.Init).AppliedStop(); ok && !n.Known {
			undecided++
		}
		if n.Known && n.V {
			match[ns] = true
			for a := ns.Parent; a != nil && !context[a]; a = a.Parent {
				context[a] = true
			}
		}
	}
	return match, context, undecided
}

// WriteTableWith writes the plain namespace table with o's choices.
func WriteTableWith(w io.Writer, as *predict.Assessments, o TableOptions) error {
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
	if note := EngineNote(s); note != "" {
		fmt.Fprintln(w, note)
	}
	var match, context map[*procinspect.Namespace]bool
	if o.NeedsSIGKILL {
		var undecided int
		match, context, undecided = NeedsSIGKILLRows(as)
		fmt.Fprintf(w, "needs SIGKILL: %s whose configured stop signal will not end the init (verdict no)", Plural(len(match), "namespace"))
		if undecided > 0 {
			fmt.Fprintf(w, "; not counted: %s whose stop depends on the program or is unknown", Plural(undecided, "more namespace"))
		}
		if len(context) > 0 {
			if o.Color {
				fmt.Fprint(w, "; ancestors shown greyed, as context")
			} else {
				fmt.Fprint(w, "; ancestors shown as context, marked (ancestor)")
			}
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.StripEscape)
	cells := make([]string, len(Columns))
	for i, c := range Columns {
		cells[i] = c.Header
	}
	fmt.Fprintln(tw, strings.Join(cells, "\t"))
	assumed := false
	for _, ns := range s.Namespaces {
		if o.NeedsSIGKILL && !match[ns] && !context[ns] {
			continue
		}
		r := NewRow(as, ns)
		assumed = assumed || r.StopAssumed
		for i, c := range Columns {
			cells[i] = c.Cell(r)
		}
		line := strings.Join(cells, "\t")
		switch {
		case !o.NeedsSIGKILL || match[ns]:
		case o.Color:
			// Escaped for tabwriter, so the escape sequences take no width.
			line = "\xff\x1b[2m\xff" + line + "\xff\x1b[0m\xff"
		default:
			line += "\t(ancestor)"
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if assumed {
		fmt.Fprintln(w, AssumedLegend)
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
// at once", "SIGINT:137 after 3s", "SIGTERM:depends (10s)", "SIGTERM:? (10s)";
// an assumed signal or grace period carries a *: "SIGTERM*:137 after 10s*".
func StopCell(st predict.Stop) string {
	sig := "?"
	if st.Signal != 0 {
		sig = st.Signal.String()
	}
	if st.SignalAssumed {
		sig += "*"
	}
	exit := "?"
	if st.Exit.Known {
		exit = fmt.Sprint(st.Exit.V)
	}
	g := fmt.Sprintf("%ds", int(st.Grace.Seconds()))
	if st.GraceAssumed {
		g += "*"
	}
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

// containerParts are ContainerText's parts: "docker web1" (or "-"), the
// image, and whether it runs with --init.
func containerParts(ns *procinspect.Namespace) (name, image string, init bool) {
	c := ns.Container()
	if c == nil {
		return "-", "", false
	}
	n := c.Short()
	if m := ns.Engine(); m != nil {
		if m.Name != "" {
			n = m.Name
		}
		image, init = procinspect.Printable(m.Image), m.Init.Known && m.Init.Value
	}
	return c.Runtime + " " + procinspect.Printable(n), image, init
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
