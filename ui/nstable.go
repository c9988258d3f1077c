package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// nsTable is the main view's namespace list: rows, a cursor that follows
// the same namespace across rescans, and scrolling.
type nsTable struct {
	rows          []nsRow
	cursor, top   int
	width, height int // height counts the column header
	selected      nsKey
	hasSelection  bool
	nsWidth       int // the widest PIDNS cell of the rows, with its tree indent
}

// setRows replaces the rows and keeps the cursor on the same namespace;
// if that namespace is gone, the cursor stays at the same position.
func (t *nsTable) setRows(rows []nsRow) {
	t.rows = rows
	t.nsWidth = len("PIDNS")
	for _, r := range rows {
		t.nsWidth = max(t.nsWidth, ansi.StringWidth(r.TreeID()))
	}
	if t.hasSelection {
		for i, r := range rows {
			if r.key == t.selected {
				t.cursor = i
				t.clamp()
				return
			}
		}
	}
	t.clamp()
}

func (t *nsTable) setSize(w, h int) { t.width, t.height = w, h; t.clamp() }

// visible is the number of data rows that fit.
func (t nsTable) visible() int { return max(t.height-1, 1) }

func (t *nsTable) clamp() {
	t.cursor = min(max(t.cursor, 0), max(len(t.rows)-1, 0))
	if t.cursor < t.top {
		t.top = t.cursor
	}
	if t.cursor >= t.top+t.visible() {
		t.top = t.cursor - t.visible() + 1
	}
	t.top = max(min(t.top, len(t.rows)-t.visible()), 0)
	if len(t.rows) > 0 {
		t.selected, t.hasSelection = t.rows[t.cursor].key, true
	}
}

// firstMatch puts the cursor on the first row that matched the filter
// (not an ancestor shown for context).
func (t *nsTable) firstMatch() {
	for i, r := range t.rows {
		if !r.context {
			t.cursor = i
			t.clamp()
			return
		}
	}
}

// matches counts the rows that matched the filter.
func (t nsTable) matches() int {
	n := 0
	for _, r := range t.rows {
		if !r.context {
			n++
		}
	}
	return n
}

// current returns the row under the cursor, or nil.
func (t nsTable) current() *nsRow {
	if len(t.rows) == 0 {
		return nil
	}
	return &t.rows[t.cursor]
}

// Update moves the cursor.
func (t nsTable) Update(msg tea.KeyPressMsg, k keyMap) nsTable {
	switch {
	case key.Matches(msg, k.Up):
		t.cursor--
	case key.Matches(msg, k.Down):
		t.cursor++
	case key.Matches(msg, k.PageUp):
		t.cursor -= t.visible()
	case key.Matches(msg, k.PageDown):
		t.cursor += t.visible()
	case key.Matches(msg, k.Top):
		t.cursor = 0
	case key.Matches(msg, k.Bottom):
		t.cursor = len(t.rows) - 1
	default:
		return t
	}
	t.clamp()
	return t
}

// layout is the width of each column at a terminal width.
type layout struct {
	ns, container, pid, name, procs, verdict int
	stop                                     int // 0: no STOP column
	wide                                     bool
}

// Narrowest cells before a verdict column would be lost.
const (
	minName    = 6
	narrowCell = 5 // "✓ yes", "✗ no", "~ dep", "? unk"
)

// layoutFor fits the columns to a terminal width. PIDNS is as wide as its
// widest cell (at most 16); on a narrow terminal PID shrinks first, then
// the verdict cells take their short form, then PIDNS, and NAME gets what
// is left (at least minName): all four verdict columns stay.
func layoutFor(width, nsWidth int) layout {
	l := layout{ns: min(max(nsWidth, 5), 16), pid: 7, procs: 5, verdict: 9}
	if width >= 120 {
		l.wide, l.verdict = true, 18
	}
	if width >= 150 {
		l.container = 24
	}
	if width >= 190 {
		l.stop = 22 // "SIGTERM:137 after 10s"
	}
	used := func() int {
		n := l.ns + l.pid + l.procs + 4*l.verdict + 8
		if l.container > 0 {
			n += l.container + 1
		}
		if l.stop > 0 {
			n += l.stop + 1
		}
		return n
	}
	for width-used() < minName {
		switch {
		case l.pid > 5:
			l.pid--
		case l.verdict > narrowCell:
			l.verdict = narrowCell
		case l.ns > 12:
			l.ns--
		case l.ns > 8:
			l.ns--
		default:
			l.name = minName
			return l
		}
	}
	l.name = width - used()
	return l
}

// View renders the header line and the visible rows.
func (t nsTable) View(st Styles) string {
	l := layoutFor(t.width, t.nsWidth)
	var b strings.Builder
	head := []string{"PIDNS", "CONTAINER", "INIT", "NAME", "PROCS", "TERM in", "TERM host", "KILL in", "KILL host", "STOP"}
	switch {
	case l.wide:
		head[5], head[7] = "TERM inside", "KILL inside"
	case l.verdict == narrowCell:
		head[5], head[6], head[7], head[8] = "T in", "T hst", "K in", "K hst"
	}
	b.WriteString(st.ColHeader.Render(t.line(l, head)))
	if len(t.rows) == 0 {
		b.WriteString("\n" + st.Faint.Render("  no namespace matches"))
	}
	for i := t.top; i < len(t.rows) && i < t.top+t.visible(); i++ {
		b.WriteString("\n")
		b.WriteString(t.renderRow(st, l, t.rows[i], i == t.cursor))
	}
	return b.String()
}

func (t nsTable) renderRow(st Styles, l layout, r nsRow, selected bool) string {
	cells := []string{r.TreeID(), r.Container, r.PID, r.Name, r.Procs, "-", "-", "-", "-", r.Stop}
	for i, pr := range r.Predictions {
		cells[5+i] = verdictText(pr, l.wide)
		if l.verdict == narrowCell {
			cells[5+i] = ansi.Truncate(cells[5+i], narrowCell, "")
		}
	}
	if selected {
		return st.Selected.Render(t.line(l, cells))
	}
	if r.context {
		return st.Faint.Render(t.line(l, cells))
	}
	line := t.line(l, cells[:5])
	for i := 5; i < 9; i++ {
		cell := pad(cells[i], l.verdict)
		if r.Predictions != nil {
			cell = st.Verdict[r.Predictions[i-5].Verdict].Render(cell)
		}
		line += " " + cell
	}
	if l.stop > 0 {
		line += " " + pad(cells[9], l.stop)
	}
	return line
}

// line lays cells out in the layout's columns (fewer cells leave the rest off).
func (t nsTable) line(l layout, cells []string) string {
	widths := []int{l.ns, l.container, l.pid, l.name, l.procs, l.verdict, l.verdict, l.verdict, l.verdict, l.stop}
	parts := make([]string, 0, len(cells))
	for i, c := range cells {
		if widths[i] == 0 {
			continue
		}
		if i == 2 || i == 4 {
			parts = append(parts, lipgloss.PlaceHorizontal(widths[i], lipgloss.Right, ansi.Truncate(c, widths[i], "…")))
			continue
		}
		parts = append(parts, pad(c, widths[i]))
	}
	return strings.Join(parts, " ")
}

// pad truncates or pads s to exactly w cells.
func pad(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
