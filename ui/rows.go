package ui

import (
	"strconv"
	"strings"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

// verdictGlyph makes a verdict readable without colour.
var verdictGlyph = map[predict.Verdict]string{
	predict.Yes:            "✓",
	predict.No:             "✗",
	predict.Depends:        "~",
	predict.VerdictUnknown: "?",
}

// nsKey tells a namespace apart from the others across scans: its inode,
// or its init's PID when the inode is unknown (nsutil.NSID without Dev).
type nsKey struct {
	ino  uint64
	init int
}

func keyOf(id nsutil.NSID) nsKey { return nsKey{ino: id.Ino, init: id.Init} }

// nsRow is one namespace of the main view: render's row, which the
// --once table shows too, and the key that keeps the selection on it.
type nsRow struct {
	render.Row
	key nsKey // the namespace; zero for the unidentified group
	// context marks an ancestor shown only so a filtered tree still reads;
	// it did not match the filter.
	context bool
	// hostInit marks the kernel's initial namespace, whose init is the
	// machine's own PID 1 (never the cursor's landing place for a filter
	// that matches a namespace below it; F9 there asks for the PID typed).
	hostInit bool
}

// rowCache is every namespace's row of one assessed snapshot, built once
// when the scan arrives: a keypress (moving, typing a filter) only picks
// from it, and never rescans.
type rowCache struct {
	as   *predict.Assessments
	all  []nsRow
	byNS map[*procinspect.Namespace]int // index into all
	// names holds each namespace's lowercased, printable names (its
	// processes' and its container's), made on the first filter by text.
	names map[*procinspect.Namespace][]string
}

func newRowCache(as *predict.Assessments) *rowCache {
	c := &rowCache{as: as}
	if as == nil {
		return c
	}
	c.all = make([]nsRow, 0, len(as.Snapshot.Namespaces))
	c.byNS = make(map[*procinspect.Namespace]int, len(as.Snapshot.Namespaces))
	for _, ns := range as.Snapshot.Namespaces {
		c.byNS[ns] = len(c.all)
		c.all = append(c.all, rowOf(as, ns))
	}
	return c
}

// buildRows turns a snapshot into rows, in tree order, keeping the
// namespaces that match the filter (case-insensitive; empty keeps all) and
// the needs-SIGKILL toggle and, marked as context, their ancestors; or, in
// another sort order, only the matches, sorted (sortRows).
func buildRows(as *predict.Assessments, o rowOptions) []nsRow {
	return newRowCache(as).rows(o)
}

// rows picks the rows the options keep (see buildRows).
func (c *rowCache) rows(o rowOptions) []nsRow {
	if c == nil || c.as == nil {
		return nil
	}
	raw := strings.TrimSpace(o.filter)
	filter := strings.ToLower(raw)
	if filter == "" && !o.needsKill {
		return sortRows(c.all, o.sort)
	}
	s := c.as.Snapshot
	match, context := map[*procinspect.Namespace]bool{}, map[*procinspect.Namespace]bool{}
	for _, ns := range s.Namespaces {
		if o.needsKill {
			// The configured stop's verdict is no (render.Row.NeedsSIGKILL).
			if k := c.all[c.byNS[ns]].NeedsSIGKILL; !k.Known || !k.V {
				continue
			}
		}
		if filter == "" || c.matches(ns, filter) || procinspect.ContainerMatches(ns, raw) {
			match[ns] = true
			for a := ns.Parent; a != nil && !context[a]; a = a.Parent {
				context[a] = true
			}
		}
	}
	rows := make([]nsRow, 0, len(match)+len(context))
	for _, ns := range s.Namespaces {
		if !match[ns] && (!context[ns] || o.sort != sortTree) {
			continue
		}
		r := c.all[c.byNS[ns]]
		r.context = !match[ns]
		rows = append(rows, r)
	}
	return sortRows(rows, o.sort)
}

// matches is nsMatches over the cached names.
func (c *rowCache) matches(ns *procinspect.Namespace, f string) bool {
	if isDigits(f) {
		return nsMatches(ns, f)
	}
	if c.names == nil {
		c.names = make(map[*procinspect.Namespace][]string, len(c.all))
	}
	names, ok := c.names[ns]
	if !ok {
		names = nsNames(ns)
		c.names[ns] = names
	}
	for _, n := range names {
		if strings.Contains(n, f) {
			return true
		}
	}
	return false
}

// nsNames is what a text filter matches in a namespace, lowercased and
// printable: its container's names and its processes' names.
func nsNames(ns *procinspect.Namespace) []string {
	var out []string
	if c := ns.Container(); c != nil {
		vals := []string{c.Runtime, c.ID, c.Name, c.PodUID}
		if m := ns.Engine(); m != nil {
			vals = append(vals, m.Name, m.Image, m.ContainerName, m.Pod.Name, m.Pod.Namespace)
		}
		for _, v := range vals {
			if v != "" {
				out = append(out, strings.ToLower(procinspect.Printable(v)))
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range ns.Procs {
		if n := p.Name(); !seen[n] {
			seen[n] = true
			out = append(out, strings.ToLower(procinspect.Printable(n)))
		}
	}
	return out
}

func rowOf(as *predict.Assessments, ns *procinspect.Namespace) nsRow {
	return nsRow{Row: render.NewRow(as, ns), key: keyOf(ns.ID), hostInit: isHostInit(as.Snapshot, ns)}
}

// isHostInit reports whether ns is the kernel's initial PID namespace as
// far as sigview can tell: known initial, or the procfs' own namespace
// when sigview runs in the initial one. Inside a container its own
// namespace is not.
func isHostInit(s *procinspect.Snapshot, ns *procinspect.Namespace) bool { return s.IsHost(ns) }

// nsMatches reports whether the filter names the namespace, its init, any
// of its processes, or its container. A number matches a PID exactly (as
// the procfs or the namespace itself numbers it), or the end of the
// namespace's inode when it has at least 5 digits; text matches names.
func nsMatches(ns *procinspect.Namespace, f string) bool {
	if c := ns.Container(); c != nil {
		vals := []string{c.Runtime, c.ID, c.Name, c.PodUID}
		if m := ns.Engine(); m != nil {
			vals = append(vals, m.Name, m.Image, m.ContainerName, m.Pod.Name, m.Pod.Namespace)
		}
		for _, v := range vals {
			if v != "" && strings.Contains(strings.ToLower(procinspect.Printable(v)), f) {
				return true
			}
		}
	}
	if isDigits(f) {
		id := ns.ID.String()
		if id == f || len(f) >= 5 && strings.HasSuffix(id, f) {
			return true
		}
		for _, p := range ns.Procs {
			if strconv.Itoa(p.PID) == f || p == ns.Init && strconv.Itoa(p.Status.NSPID()) == f {
				return true
			}
		}
		return false
	}
	for _, p := range ns.Procs {
		if strings.Contains(strings.ToLower(procinspect.Printable(p.Name())), f) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// verdictText is a verdict cell: glyph and word, plus the outcome when wide.
func verdictText(pr predict.Prediction, wide bool) string {
	if !wide || pr.Verdict == predict.VerdictUnknown {
		return verdictGlyph[pr.Verdict] + " " + string(pr.Verdict)
	}
	return verdictGlyph[pr.Verdict] + " " + string(pr.Verdict) + " " + string(pr.Outcome)
}
