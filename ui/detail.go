package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

// maxDetailProcs bounds how many of a namespace's processes the detail view
// lists and asks the scanner to read in depth.
const maxDetailProcs = 500

// detail is the view of one namespace: its init's signals decoded, every
// prediction with its reason, and its processes.
type detail struct {
	vp      viewport.Model
	key     nsKey // the namespace shown
	all     bool  // all 64 signals, not only the non-default ones
	missing bool  // the namespace vanished
	// sigs is the signal log (nil without one), sigsUnavailable why there
	// is none.
	sigs            *sigLog
	sigsUnavailable string
}

func newDetail() detail {
	vp := viewport.New()
	vp.KeyMap.PageDown.SetKeys("pgdown", "ctrl+f", "space", "f")
	return detail{vp: vp}
}

func (d *detail) setSize(w, h int) {
	d.vp.SetWidth(w)
	d.vp.SetHeight(max(h, 1))
}

// Update scrolls.
func (d detail) Update(msg tea.Msg) (detail, tea.Cmd) {
	var cmd tea.Cmd
	d.vp, cmd = d.vp.Update(msg)
	return d, cmd
}

// View renders the visible part.
func (d detail) View() string { return d.vp.View() }

// refresh rebuilds the content from a snapshot, keeping the scroll position.
func (d *detail) refresh(as *predict.Assessments, st Styles) {
	var ns *procinspect.Namespace
	if as != nil {
		ns = findNS(as.Snapshot, d.key)
	}
	d.missing = ns == nil
	y := d.vp.YOffset()
	content := renderDetail(as, ns, d.all, st, d.vp.Width())
	if ns != nil && (d.sigs != nil || d.sigsUnavailable != "") {
		var b strings.Builder
		writeReceived(&b, d.sigs, d.sigsUnavailable, ns, st, d.vp.Width())
		content += "\n" + strings.TrimRight(b.String(), "\n")
	}
	d.vp.SetContent(content)
	d.vp.SetYOffset(y)
}

// findNS returns the namespace with the given key (zero: the unidentified group).
func findNS(s *procinspect.Snapshot, key nsKey) *procinspect.Namespace {
	if s == nil {
		return nil
	}
	for _, ns := range s.Namespaces {
		if keyOf(ns.ID) == key {
			return ns
		}
	}
	return nil
}

// renderDetail is the detail view's whole content, computed without a
// terminal. What it says about the init is worded by render, the sections
// of `sigview explain`; this lays them out for the screen.
func renderDetail(as *predict.Assessments, ns *procinspect.Namespace, all bool, st Styles, width int) string {
	if ns == nil {
		return st.Warn.Render("This namespace is gone: its last process exited. Esc goes back.")
	}
	wrap := lipgloss.NewStyle().Width(max(width, 20))
	var b strings.Builder
	b.WriteString(st.Title.Render(nsTitle(ns)) + "\n")
	var facts []string
	if c := ns.Container(); c != nil {
		facts = append(facts, render.ContainerLines(c, ns.Engine())...)
	}
	p := ns.Init
	if p == nil {
		b.WriteString(wrap.Render(strings.Join(facts, "\n")) + "\n")
		b.WriteString(st.Warn.Render("Its init is not visible from here, so no prediction is made.") + "\n")
	} else {
		a := as.Of(p)
		// explain's NSpid and SigQ lines are left off: the screen is short.
		facts = append(facts, render.IdentityLine(as.Snapshot, a))
		facts = append(facts, render.ProcessLines(a)...)
		if readers := render.ReaderLines(p); readers != nil {
			facts = append(facts, render.ReadersTitle+": "+strings.Join(readers, "; "))
		}
		facts = append(facts, render.ProblemLines(p)...)
		b.WriteString(wrap.Render(strings.Join(facts, "\n")) + "\n")
		writeStops(&b, a, st, width)
		b.WriteString("\n" + st.Section.Render("What kill does") + "\n")
		writePredictions(&b, a, st, width)
		b.WriteString("\n" + st.Section.Render("Signals") + st.Faint.Render(signalsHint(all)) + "\n")
		writeSignals(&b, p, all, st, width)
	}
	b.WriteString("\n" + st.Section.Render("Processes") + "\n")
	writeProcs(&b, as, ns, st)
	return strings.TrimRight(b.String(), "\n")
}

func signalsHint(all bool) string {
	if all {
		return "  (all 64; a: only the non-default)"
	}
	return "  (non-default only; a: all 64)"
}

// nsTitle is the detail view's heading: the namespace, its place in the
// tree and its size.
func nsTitle(ns *procinspect.Namespace) string {
	id := "unidentified namespace"
	if !ns.ID.IsZero() {
		id = "PID namespace " + ns.ID.String()
	}
	parts := []string{id}
	if ns.Level >= 0 {
		parts = append(parts, fmt.Sprintf("level %d", ns.Level))
	}
	if ns.Parent != nil {
		parts = append(parts, "parent "+ns.Parent.ID.String())
	}
	if ns.Initial.V {
		parts = append(parts, "the host's")
	}
	parts = append(parts, render.Plural(len(ns.Procs), "process"))
	return strings.Join(parts, " · ")
}

// writeStops says what docker stop and Kubernetes will do, and how to fix it.
func writeStops(b *strings.Builder, a *predict.Assessment, st Styles, width int) {
	stops, hint := a.Stops, a.Hint
	if len(stops) == 0 && hint == "" {
		return
	}
	wrap := lipgloss.NewStyle().Width(max(width-2, 20))
	b.WriteString("\n" + st.Section.Render("What a stop does") + "\n")
	for _, s := range stops {
		glyph := st.Verdict[s.Verdict].Render(verdictGlyph[s.Verdict] + " ")
		b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, glyph, wrap.Render(render.StopSummary(s))) + "\n")
		b.WriteString(st.Faint.Render(lipgloss.NewStyle().Width(max(width-2, 20)).PaddingLeft(2).Render(render.StopFrom(s, true))) + "\n")
	}
	if hint != "" {
		b.WriteString(st.Warn.Render(lipgloss.NewStyle().Width(max(width, 20)).Render(render.FixLine(hint))) + "\n")
	}
}

// writePredictions lists every prediction with its reason wrapped under
// it; the verdict cell is the main view's (glyph, verdict, outcome).
func writePredictions(b *strings.Builder, a *predict.Assessment, st Styles, width int) {
	reasonStyle := lipgloss.NewStyle().Width(max(width-4, 20)).PaddingLeft(4)
	for _, pr := range a.Predictions {
		r := render.NewPredictionRow(pr)
		verdict := st.Verdict[pr.Verdict].Render(pad(verdictText(pr, true), 20))
		fmt.Fprintf(b, "%s %s %s\n", pad(r.Signal, 8), pad(r.From, 6), verdict)
		b.WriteString(st.Faint.Render(reasonStyle.Render(r.Reason)) + "\n")
	}
}

// writeSignals is render's signal table in fixed columns, all 64 signals
// or only those that differ from a fresh process.
func writeSignals(b *strings.Builder, p *procinspect.Process, all bool, st Styles, width int) {
	widths := []int{3, 28, 10, 8, 12, 10, 24}
	used := len(widths) - 1 // the spaces between columns
	for _, w := range widths[:len(widths)-1] {
		used += w
	}
	widths[len(widths)-1] = max(width-used, 24) // READERS takes the rest of the line
	row := func(cells []string) string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = pad(c, widths[i])
		}
		return strings.TrimRight(strings.Join(out, " "), " ")
	}
	wrap := lipgloss.NewStyle().Width(max(width, 20))
	if line := render.SignalsUnknownLine(p); line != "" {
		b.WriteString(st.Warn.Render(wrap.Render(line)) + "\n")
	}
	rows := render.SignalRows(p)
	var lines []string
	for _, r := range rows { // all 64 in number order, or only the non-default
		if all || !r.Plain() {
			lines = append(lines, row(r.Cells()))
		}
	}
	if len(lines) > 0 {
		b.WriteString(st.ColHeader.Render(row(render.SignalHeader)) + "\n" + strings.Join(lines, "\n") + "\n")
	}
	if all {
		return
	}
	text := render.AllPlainLine
	if len(lines) > 0 {
		text = render.PlainLine(rows)
	}
	if text != "" {
		b.WriteString(st.Faint.Render(wrap.Render(text)) + "\n")
	}
}

// writeProcs lists the namespace's processes with what SIGTERM from inside
// would do to each.
func writeProcs(b *strings.Builder, as *predict.Assessments, ns *procinspect.Namespace, st Styles) {
	widths := []int{8, 7, 16, 5, 7, 20}
	row := func(cells []string) string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = pad(c, widths[i])
		}
		return strings.TrimRight(strings.Join(out, " "), " ")
	}
	b.WriteString(st.ColHeader.Render(row([]string{"PID", "NS PID", "NAME", "STATE", "THREADS", "SIGTERM from inside"})) + "\n")
	// A few verdict cells repeat down the list: each is styled once.
	type cellKey struct {
		v predict.Verdict
		o predict.Outcome
	}
	cells := map[cellKey]string{}
	for i, p := range ns.Procs {
		if i == maxDetailProcs {
			fmt.Fprintf(b, "%s\n", st.Faint.Render(fmt.Sprintf("… and %d more", len(ns.Procs)-i)))
			break
		}
		pr := as.InsideTERM(p)
		line := row([]string{strconv.Itoa(p.PID), render.OrUnknown(p.Status.NSPID()), procinspect.Printable(p.Name()),
			render.State(p.Status.State), render.IntOrUnknown(p.Status.Threads), "."})
		line = strings.TrimSuffix(line, ".")
		k := cellKey{pr.Verdict, pr.Outcome}
		cell, ok := cells[k]
		if !ok {
			cell = st.Verdict[pr.Verdict].Render(verdictText(pr, true))
			cells[k] = cell
		}
		b.WriteString(line + cell + "\n")
	}
}
