package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/render"
)

// The screen: the header, the current view's body, and the footer's key hint.

// View renders the screen.
func (m Model) View() tea.View {
	f := m.frame()
	m.pace.shown(f)
	v := tea.NewView(f)
	v.AltScreen = true
	v.WindowTitle = "sigview"
	return v
}

// frame is content, built again only when the model changed since the
// last frame (frameMemo).
func (m Model) frame() string {
	if m.memo == nil {
		return m.content()
	}
	if m.memo.gen != m.gen || m.memo.frame == "" {
		m.memo.frame, m.memo.gen = m.content(), m.gen
	}
	return m.memo.frame
}

func (m Model) content() string {
	if m.width == 0 {
		return "sigview: starting…"
	}
	var body string
	switch {
	case m.dialog != nil:
		body = m.dialog.view(m.styles, m.width)
	case m.showHelp || m.showWarnings || m.showLog:
		body = m.overlay.View()
	case m.snap == nil && m.err == nil:
		body = m.styles.Faint.Render("scanning " + m.scanner.Root + "…")
	case m.view == detailView:
		body = m.detail.View()
	default:
		body = m.table.View(m.styles)
	}
	lines := strings.Split(body, "\n")
	bodyH := max(m.height-headerLines-footerLines, 1)
	for len(lines) < bodyH {
		lines = append(lines, "")
	}
	if len(lines) > bodyH {
		lines = lines[:bodyH]
	}
	for i, l := range lines {
		// Never let a line wrap in the terminal: it would shift the screen.
		// (A line takes at most as many cells as it has bytes.)
		if len(l) > m.width && ansi.StringWidth(l) > m.width {
			lines[i] = ansi.Truncate(l, m.width, "…")
		}
	}
	return m.header() + "\n" + strings.Join(lines, "\n") + "\n" + m.footer()
}

// header says where sigview runs, the counts, the scan time and warnings.
func (m Model) header() string {
	st := m.styles
	title := st.Title.Render("sigview") + " "
	if m.snap == nil {
		if m.err != nil {
			return title + st.Error.Render(truncate("scan failed: "+m.err.Error(), m.width-8)) + "\n"
		}
		return title + "\n"
	}
	s := m.snap
	inits := 0
	for _, ns := range s.Namespaces {
		if ns.Init != nil {
			inits++
		}
	}
	badge := ""
	if m.readOnly {
		badge = st.Warn.Render("[read-only] ")
	}
	line1 := title + badge + st.Header.Render(truncate(render.Where(s), m.width-8-lipgloss.Width(badge)))
	stats := fmt.Sprintf("%s · %s · %s · %s (%s)",
		render.NamespaceCount(s, "namespace"), render.Plural(inits, "init"), render.Plural(len(s.Processes), "process"),
		s.Time.Format("15:04:05"), m.took.Round(time.Millisecond))
	if f := m.filter.Value(); (f != "" || m.needsKill) && m.view == mainView {
		stats = fmt.Sprintf("%d of %d shown · ", m.table.matches(), len(s.Namespaces)) + stats
	}
	if m.view == detailView {
		stats = "detail · " + stats
	}
	// What went wrong comes first, so a narrow terminal still shows it.
	line2 := st.Faint.Render(stats)
	switch {
	case m.err != nil:
		line2 = st.Error.Render("last scan failed: "+procinspect.Printable(m.err.Error())) + st.Faint.Render(" · "+stats)
	case len(s.Warnings) > 0:
		line2 = st.Warn.Render("w: "+render.Plural(len(s.Warnings), "warning")) + st.Faint.Render(" · "+stats)
	}
	return line1 + "\n" + truncate(line2, m.width)
}

// footer is the key hint. "? help" and "q quit" are always at its end;
// what does not fit before them is cut.
func (m Model) footer() string {
	if m.filterOn {
		return m.filter.View()
	}
	if m.memo == nil {
		return m.keyHint()
	}
	if k := m.footerKey(); !m.memo.hasFoot || m.memo.footKey != k {
		m.memo.footer, m.memo.footKey, m.memo.hasFoot = m.keyHint(), k, true
	}
	return m.memo.footer
}

// keyHint is the footer when the filter is not being typed.
func (m Model) keyHint() string {
	bindings := m.keys.ShortHelp()
	if m.view == detailView {
		bindings = m.keys.detailHelp()
	}
	h := m.help
	tail := h.ShortHelpView(m.keys.footerTail())
	avail := m.width - lipgloss.Width(tail) - 3
	if avail < 8 {
		return truncate(tail, m.width)
	}
	h.SetWidth(avail)
	head := h.ShortHelpView(bindings)
	if m.notice != "" {
		head = m.styles.Warn.Render(m.notice) + "  " + head
	}
	if m.sortBy != sortTree && m.view == mainView {
		head = m.styles.Warn.Render("sort: "+sortNames[m.sortBy]) + "  " + head
	}
	if m.needsKill && m.view == mainView {
		head = m.styles.Warn.Render("needs SIGKILL only (K: all)") + "  " + head
	}
	if f := m.filter.Value(); f != "" {
		head = m.styles.Warn.Render("filter: "+procinspect.Printable(f)+" (esc clears)") + "  " + head
	}
	head = ansi.Truncate(head, avail, "…")
	gap := max(m.width-lipgloss.Width(head)-lipgloss.Width(tail), 1)
	return head + strings.Repeat(" ", gap) + tail
}

// truncate cuts s to w cells.
func truncate(s string, w int) string { return pad(s, max(w, 1)) }
