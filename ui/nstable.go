package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sigview/sigview/procinspect/render"
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
	ctWidth       int // the widest CONTAINER cell of the rows, in full
	// showStop shows STOP below 190 columns too (from 100): the rows are
	// sorted by it.
	showStop bool
	// marked are the namespaces whose init dropped a signal in the last
	// ten minutes (signals.go): their PIDNS cell ends in "!".
	marked map[nsKey]bool
	// lines are rows already rendered (rowLines); shared by the copies
	// of the table the model makes, made anew when the styles change.
	lines *rowLines
}

// rowLines caches rendered rows by everything a rendered row is made of:
// its cells' text, its verdicts, whether it is selected, context or marked,
// at one layout and one set of styles. Styling is most of a frame's cost
// (lipgloss, about 10 ms a screen on the test VM), and a refresh seldom
// changes a row.
type rowLines struct {
	l     layout
	lines map[string]string
	key   strings.Builder
}

// maxRowLines bounds the cache: a few screens of rows.
const maxRowLines = 512

// setRows replaces the rows and keeps the cursor on the same namespace;
// if that namespace is gone, the cursor stays at the same position.
func (t *nsTable) setRows(rows []nsRow) {
	t.rows = rows
	t.nsWidth, t.ctWidth = len("PIDNS"), len("CONTAINER")
	for _, r := range rows {
		t.nsWidth = max(t.nsWidth, ansi.StringWidth(r.TreeID()))
		t.ctWidth = max(t.ctWidth, ansi.StringWidth(r.Container))
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
// (not an ancestor shown for context), and on the host's init only when
// nothing else matched: a filter that matches some process of the host
// must not leave the cursor, and F9, on the machine's PID 1.
func (t *nsTable) firstMatch() {
	first := -1
	for i, r := range t.rows {
		if r.context {
			continue
		}
		if !r.hostInit {
			first = i
			break
		}
		if first < 0 {
			first = i
		}
	}
	if first >= 0 {
		t.cursor = first
		t.clamp()
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

// layout is the width of each column at a terminal width (0: left off).
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

// Container column widths: it shows from 100 columns, as wide as its
// widest cell up to maxContainer, and gives up width (image first, never
// the --init marker) only after NAME and PIDNS have.
const (
	containerFrom = 100
	minContainer  = 16 // "docker web (--i…" still names the container
	maxContainer  = 48
	maxName       = 18 // len("(init not visible)"); comm is at most 15
)

// layoutFor fits the columns to a terminal width. PIDNS is as wide as its
// widest cell (at most 16), CONTAINER (from 100 columns) as its widest
// (ctWidth, at most 48), NAME gets what is left (at least minName). When
// that is not enough, PID shrinks first, then PIDNS, then CONTAINER (to
// minContainer), then the verdict cells take their short form: all four
// verdict columns stay.
func layoutFor(width, nsWidth, ctWidth int, showStop bool) layout {
	l := layout{ns: min(max(nsWidth, 5), 16), pid: 7, procs: 5, verdict: 9}
	if width >= 150 {
		l.wide, l.verdict = true, 18
	}
	if width >= containerFrom {
		l.container = min(max(ctWidth, minContainer), maxContainer)
	}
	if width >= 190 || showStop && width >= containerFrom {
		l.stop = 23 // "SIGTERM*:137 after 10s*"
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
		case l.container > 0 && l.ns > 8:
			l.ns--
		case l.container > minContainer:
			l.container--
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
	// A process name is at most 15 characters (18 for "(init not
	// visible)"): NAME's width beyond that goes to a cut container cell.
	if extra := l.name - maxName; extra > 0 && l.container > 0 && l.container < ctWidth {
		give := min(extra, ctWidth-l.container)
		l.container += give
		l.name -= give
	}
	return l
}

// column is one of render's table columns as the main view lays it out:
// its width at a layout (0 leaves it off) and its alignment. The main view
// has no LVL column: the tree indent of PIDNS shows the level.
type column struct {
	render.Column
	width func(layout) int
	right bool // numbers are right-aligned
}

var columns = []column{
	{Column: render.ColPIDNS, width: func(l layout) int { return l.ns }},
	{Column: render.ColContainer, width: func(l layout) int { return l.container }},
	{Column: render.ColInit, width: func(l layout) int { return l.pid }, right: true},
	{Column: render.ColName, width: func(l layout) int { return l.name }},
	{Column: render.ColProcs, width: func(l layout) int { return l.procs }, right: true},
	{Column: render.ColTermInside, width: verdictWidth},
	{Column: render.ColTermHost, width: verdictWidth},
	{Column: render.ColKillInside, width: verdictWidth},
	{Column: render.ColKillHost, width: verdictWidth},
	{Column: render.ColStop, width: func(l layout) int { return l.stop }},
}

func verdictWidth(l layout) int { return l.verdict }

// header is the column's title at a layout: the full one when wide, the
// tiny one when the verdict cells take their short form.
func (c column) header(l layout) string {
	switch {
	case l.wide || c.Short == "":
		return c.Header
	case l.verdict == narrowCell && c.Tiny != "":
		return c.Tiny
	}
	return c.Short
}

// cell is the column's text for a row: a verdict cell is worded for the
// screen (glyph, word, and the outcome when wide).
func (c column) cell(l layout, r render.Row) string {
	if c.Header == render.ColContainer.Header {
		return containerFit(r, l.container)
	}
	if c.Verdict == nil {
		return c.Cell(r)
	}
	pr, ok := c.Verdict(r)
	if !ok {
		return "-"
	}
	text := verdictText(pr, l.wide)
	if l.verdict == narrowCell {
		text = ansi.Truncate(text, narrowCell, "")
	}
	return text
}

// place pads or truncates text to the column's width at a layout.
func (c column) place(l layout, text string) string {
	w := c.width(l)
	if c.right {
		return lipgloss.PlaceHorizontal(w, lipgloss.Right, ansi.Truncate(text, w, "…"))
	}
	return pad(text, w)
}

// View renders the header line and the visible rows.
func (t nsTable) View(st Styles) string {
	nsw := t.nsWidth
	if len(t.marked) > 0 {
		nsw += 2 // room for the mark
	}
	l := layoutFor(t.width, nsw, t.ctWidth, t.showStop)
	var b strings.Builder
	head := make([]string, 0, len(columns))
	for _, c := range columns {
		if c.width(l) > 0 {
			head = append(head, c.place(l, c.header(l)))
		}
	}
	b.WriteString(st.ColHeader.Render(strings.Join(head, " ")))
	if len(t.rows) == 0 {
		b.WriteString("\n" + st.Faint.Render("  no namespace matches"))
	}
	for i := t.top; i < len(t.rows) && i < t.top+t.visible(); i++ {
		b.WriteString("\n")
		b.WriteString(t.renderRow(st, l, t.rows[i], i == t.cursor))
	}
	return b.String()
}

// renderRow lays out one row; the selected row and context rows are one
// style throughout, other rows colour each verdict cell.
func (t nsTable) renderRow(st Styles, l layout, r nsRow, selected bool) string {
	whole := selected || r.context
	c := t.lines
	if c == nil {
		return t.styleRow(st, l, r, selected, nil)
	}
	if c.l != l || len(c.lines) > maxRowLines || c.lines == nil {
		c.l, c.lines = l, map[string]string{}
	}
	k := &c.key
	k.Reset()
	k.WriteByte(flagByte(selected, r.context, t.marked[r.key]))
	texts := make([]string, len(columns))
	for i, col := range columns {
		if col.width(l) == 0 {
			continue
		}
		texts[i] = col.cell(l, r.Row)
		k.WriteString(texts[i])
		k.WriteByte(0)
		if col.Verdict != nil && !whole {
			if pr, ok := col.Verdict(r.Row); ok {
				k.WriteString(string(pr.Verdict))
			}
		}
		k.WriteByte(0)
	}
	if line, ok := c.lines[k.String()]; ok {
		return line
	}
	line := t.styleRow(st, l, r, selected, texts)
	c.lines[k.String()] = line
	return line
}

func flagByte(bits ...bool) byte {
	var b byte
	for i, v := range bits {
		if v {
			b |= 1 << i
		}
	}
	return b
}

// styleRow lays out and styles one row from its cells' texts (nil: made
// here).
func (t nsTable) styleRow(st Styles, l layout, r nsRow, selected bool, texts []string) string {
	whole := selected || r.context
	parts := make([]string, 0, len(columns))
	for i, c := range columns {
		if c.width(l) == 0 {
			continue
		}
		text := ""
		if texts != nil {
			text = texts[i]
		} else {
			text = c.cell(l, r.Row)
		}
		cell := c.place(l, text)
		if i == 0 && t.marked[r.key] {
			cell = markDropped(cell, st, whole)
		}
		if c.Verdict != nil && !whole {
			if pr, ok := c.Verdict(r.Row); ok {
				cell = st.Verdict[pr.Verdict].Render(cell)
			}
		}
		parts = append(parts, cell)
	}
	line := strings.Join(parts, " ")
	switch {
	case selected:
		return st.Selected.Render(line)
	case r.context:
		return st.Faint.Render(line)
	}
	return line
}

// pad truncates or pads s to exactly w cells.
func pad(s string, w int) string {
	n := cellWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = ansi.StringWidth(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// cellWidth is ansi.StringWidth(s), counted at once for printable ASCII
// (most cells: PIDs, names, verdict words), where a byte is a cell.
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}
