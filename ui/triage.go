package ui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/sigview/sigview/procinspect/render"
)

// Triage: which rows the main view shows, and in what order.

// rowOptions choose the main view's rows: the / filter, the needs-SIGKILL
// toggle (K) and the sort order (s, F6).
type rowOptions struct {
	filter    string
	needsKill bool
	sort      sortKey
}

// sortKey is the main view's row order: the namespace tree, or one column.
type sortKey int

const (
	sortTree      sortKey = iota // parents before children, siblings by inode
	sortStop                     // STOP's expected seconds, longest first; unknown, then none, last
	sortProcs                    // PROCS, most first
	sortInit                     // INIT's PID
	sortName                     // NAME
	sortContainer                // CONTAINER; none last
)

// sortNames name each order in the footer, indexed by sortKey.
var sortNames = []string{"tree", "STOP time ↓", "PROCS ↓", "INIT", "NAME", "CONTAINER"}

// sortRows orders rows by key; the tree order stays for ties. Out of tree
// order a row's tree indent would mislead, so it is dropped.
func sortRows(rows []nsRow, key sortKey) []nsRow {
	if key == sortTree {
		return rows
	}
	rows = append([]nsRow(nil), rows...) // rows may be the scan's cached rows
	for i := range rows {
		rows[i].Level = min(rows[i].Level, 0)
	}
	less := map[sortKey]func(a, b nsRow) bool{
		sortStop: func(a, b nsRow) bool {
			if ra, rb := stopRank(a), stopRank(b); ra != rb {
				return ra < rb
			}
			return a.StopSeconds.Known && a.StopSeconds.V > b.StopSeconds.V
		},
		sortProcs: func(a, b nsRow) bool {
			return len(a.Procs) > len(b.Procs) || len(a.Procs) == len(b.Procs) && a.Procs > b.Procs
		},
		sortInit: func(a, b nsRow) bool {
			return len(a.PID) < len(b.PID) || len(a.PID) == len(b.PID) && a.PID < b.PID
		},
		sortName: func(a, b nsRow) bool { return strings.ToLower(a.Name) < strings.ToLower(b.Name) },
		sortContainer: func(a, b nsRow) bool {
			if (a.Container == "-") != (b.Container == "-") {
				return b.Container == "-"
			}
			return strings.ToLower(a.Container) < strings.ToLower(b.Container)
		},
	}[key]
	sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	return rows
}

// stopRank puts a known stop time first, then a stop whose time the
// program decides, then rows with no stop.
func stopRank(r nsRow) int {
	switch {
	case r.StopSeconds.Known:
		return 0
	case r.Stop != "-":
		return 1
	}
	return 2
}

// containerFit is the CONTAINER cell in w cells: "docker web (shop/web:1.2,
// --init)" in full when it fits; else the image is cut ("docker web
// (shop/w…, --init)"), then left out ("docker web (--init)"), and only
// then the name is cut, keeping " (--init)": the marker is never lost
// before the image.
func containerFit(r render.Row, w int) string {
	full := r.Container
	if ansi.StringWidth(full) <= w || r.ContainerName == "-" {
		return full
	}
	initTag := ""
	if r.ContainerInit {
		initTag = "--init"
	}
	if r.ContainerImage != "" {
		tail := ")"
		if initTag != "" {
			tail = ", " + initTag + ")"
		}
		room := w - ansi.StringWidth(r.ContainerName+" ("+tail)
		if room >= 4 { // at least three characters of the image and "…"
			return r.ContainerName + " (" + ansi.Truncate(r.ContainerImage, room, "…") + tail
		}
	}
	if initTag == "" {
		return ansi.Truncate(r.ContainerName, w, "…")
	}
	tail := " (" + initTag + ")"
	if room := w - ansi.StringWidth(tail); room >= 4 {
		return ansi.Truncate(r.ContainerName, room, "…") + tail
	}
	return ansi.Truncate(r.ContainerName+tail, w, "…")
}
