package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

// view is which screen the UI shows.
type view int

const (
	mainView view = iota
	detailView
)

func (v view) String() string {
	if v == detailView {
		return "detail"
	}
	return "main"
}

// Options configure the live UI.
type Options struct {
	// Interval is the rescan period.
	Interval time.Duration
	// NoColor turns colour off (NO_COLOR).
	NoColor bool
	// ReadOnly removes the ability to send signals (F9).
	ReadOnly bool
}

// Model is the live UI: the namespace tree, a detail view, a filter and
// help. It is handed snapshots by scan commands and never reads /proc in
// Update.
type Model struct {
	scanner  procinspect.Scanner
	opts     Options
	readOnly bool // sending is off: from --read-only, or R in the UI
	keys     keyMap
	styles   Styles
	isDark   bool
	help     help.Model
	filter   textinput.Model
	table    nsTable
	detail   detail
	view     view
	dialog   *sendDialog
	notice   string // a one-line message in the footer (e.g. read-only)
	showHelp bool
	// showWarnings is the w overlay: the scan's warnings, in full.
	showWarnings bool
	// overlay scrolls the help and warnings overlays.
	overlay  viewport.Model
	filterOn bool

	// as is the last scan, assessed; snap is its snapshot (as.Snapshot).
	as       *predict.Assessments
	snap     *procinspect.Snapshot
	took     time.Duration
	err      error
	scanning bool
	width    int
	height   int
}

// New builds the UI over a scanner.
func New(sc procinspect.Scanner, opts Options) Model {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	f := textinput.New()
	f.Prompt = "/"
	f.Placeholder = "name, or a PID, or the end of a namespace inode"
	ov := viewport.New()
	ov.KeyMap.PageDown.SetKeys("pgdown", "ctrl+f", "space", "f")
	m := Model{scanner: sc, opts: opts, readOnly: opts.ReadOnly, keys: defaultKeyMap(), isDark: true, help: help.New(),
		filter: f, detail: newDetail(), overlay: ov}
	m.setStyles(true)
	return m
}

func (m *Model) setStyles(isDark bool) {
	m.isDark = isDark
	m.styles = newStyles(isDark, m.opts.NoColor)
	m.help.Styles = m.styles.Help
}

// Init starts the first scan, the rescan ticker, and asks the terminal for
// its background colour.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.startScan(), tickCmd(m.opts.Interval))
}

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		m.setStyles(msg.IsDark())
		m.refresh()
	case scanResultMsg:
		m.scanning, m.err, m.as, m.snap, m.took = false, nil, msg.as, msg.as.Snapshot, msg.took
		m.refresh()
		m.setOverlay(false)
	case scanErrMsg:
		// Keep showing the last good snapshot; the header says what failed.
		m.scanning, m.err = false, msg.err
		m.setOverlay(false)
	case tickMsg:
		return m, tea.Batch(m.scanIfIdle(), tickCmd(m.opts.Interval))
	case sendResultMsg:
		if m.dialog != nil {
			m.dialog.sending = false
			if msg.err != nil {
				m.dialog.result, m.dialog.failed = "not sent: "+msg.err.Error(), true
			} else {
				m.dialog.result, m.dialog.failed = procinspect.Printable(msg.rep.Summary), msg.rep.Held.Known && !msg.rep.Held.V
			}
		}
		return m, m.scanIfIdle()
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return m, nil
}

// startScan marks a scan in flight and returns it. In the detail view the
// shown namespace's processes are read in depth, so their predictions can
// use every thread's mask.
func (m *Model) startScan() tea.Cmd {
	m.scanning = true
	sc := m.scanner
	// Unchanged inits keep their deep facts from the last scan; the
	// detail view's processes (sc.Deep below) are read afresh.
	sc.Prev = m.snap
	if m.view == detailView {
		if ns := findNS(m.snap, m.detail.key); ns != nil {
			for i, p := range ns.Procs {
				if i == maxDetailProcs {
					break
				}
				sc.Deep = append(sc.Deep, p.PID)
			}
		}
	}
	return scanCmd(sc)
}

func (m *Model) scanIfIdle() tea.Cmd {
	if m.scanning {
		return nil // a slow scan is still running: don't pile up
	}
	return m.startScan()
}

// refresh recomputes what the views show from the snapshot.
func (m *Model) refresh() {
	m.table.setRows(buildRows(m.as, m.filter.Value()))
	if m.view == detailView {
		m.detail.refresh(m.as, m.styles)
	}
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w)
	m.filter.SetWidth(max(w-2, 10))
	body := max(h-headerLines-footerLines, 2)
	m.table.setSize(w, body)
	m.detail.setSize(w, body)
	m.overlay.SetWidth(w)
	m.overlay.SetHeight(body)
	m.setOverlay(false)
	if m.view == detailView {
		m.detail.refresh(m.as, m.styles)
	}
}

const (
	headerLines = 2
	footerLines = 1
)

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.notice = ""
	if m.filterOn {
		return m.handleFilterKey(msg)
	}
	if m.dialog != nil {
		if msg.String() == "ctrl+c" {
			return m, tea.Quit
		}
		d, req, open := m.dialog.update(msg, m.keys)
		m.dialog = &d
		if !open {
			m.dialog = nil
		}
		if req != nil {
			return m, sendCmd(m.scanner, *req)
		}
		return m, nil
	}
	if m.showHelp || m.showWarnings {
		return m.handleOverlayKey(msg)
	}
	if key.Matches(msg, m.keys.Send) {
		return m.openSend()
	}
	if key.Matches(msg, m.keys.ReadOnly) {
		switch {
		case m.opts.ReadOnly:
			m.notice = "read-only was set by --read-only and stays on"
		default:
			m.readOnly = !m.readOnly
			m.notice = map[bool]string{true: "read-only on: F9 will not send", false: "read-only off: F9 sends after a confirmation"}[m.readOnly]
		}
		return m, nil
	}
	switch {
	case msg.String() == "ctrl+c" || key.Matches(msg, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		m.setOverlay(true)
	case key.Matches(msg, m.keys.Warnings):
		m.showWarnings = true
		m.setOverlay(true)
	case key.Matches(msg, m.keys.Rescan):
		return m, m.scanIfIdle()
	case m.view == detailView:
		return m.handleDetailKey(msg)
	case key.Matches(msg, m.keys.Filter):
		m.filterOn = true
		return m, m.filter.Focus()
	case key.Matches(msg, m.keys.Back) && m.filter.Value() != "":
		m.filter.SetValue("")
		m.refresh()
	case key.Matches(msg, m.keys.Detail):
		if r := m.table.current(); r != nil {
			m.view, m.detail.key = detailView, r.key
			m.detail.vp.GotoTop()
			m.detail.refresh(m.as, m.styles)
			return m, m.scanIfIdle()
		}
	default:
		m.table = m.table.Update(msg, m.keys)
	}
	return m, nil
}

// handleOverlayKey scrolls the help or warnings overlay; ?, w and esc
// close it (or switch between the two).
func (m Model) handleOverlayKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case msg.String() == "ctrl+c" || key.Matches(msg, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.showHelp, m.showWarnings = !m.showHelp, false
		m.setOverlay(true)
	case key.Matches(msg, m.keys.Warnings):
		m.showWarnings, m.showHelp = !m.showWarnings, false
		m.setOverlay(true)
	case key.Matches(msg, m.keys.Back):
		m.showHelp, m.showWarnings = false, false
	case key.Matches(msg, m.keys.Top):
		m.overlay.GotoTop()
	case key.Matches(msg, m.keys.Bottom):
		m.overlay.GotoBottom()
	default:
		var cmd tea.Cmd
		m.overlay, cmd = m.overlay.Update(msg)
		return m, cmd
	}
	return m, nil
}

// setOverlay puts the open overlay's text into its viewport; top scrolls
// back to its start (when it opens).
func (m *Model) setOverlay(top bool) {
	switch {
	case m.showHelp:
		m.overlay.SetContent(m.helpView())
	case m.showWarnings:
		m.overlay.SetContent(m.warningsView())
	default:
		return
	}
	if top {
		m.overlay.GotoTop()
	}
}

// warningsView is the w overlay: every warning of the last scan in full.
func (m Model) warningsView() string {
	st := m.styles
	wrap := lipgloss.NewStyle().Width(max(m.width-2, 20))
	var b strings.Builder
	b.WriteString(st.Section.Render("Warnings of the last scan") + "\n")
	if m.err != nil {
		b.WriteString(st.Error.Render(wrap.Render("scan failed: "+procinspect.Printable(m.err.Error()))) + "\n")
	}
	n := 0
	if m.snap != nil {
		for _, w := range m.snap.Warnings {
			b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, "• ", wrap.Render(procinspect.Printable(w))) + "\n")
			n++
		}
		if m.snap.Vanished > 0 {
			b.WriteString(st.Faint.Render(wrap.Render(render.Plural(m.snap.Vanished, "process")+" exited while the scan read them (not counted)")) + "\n")
		}
	}
	if n == 0 && m.err == nil {
		b.WriteString(st.Faint.Render("none: every fact sigview needed was readable") + "\n")
	}
	b.WriteString("\n" + st.Faint.Render("w or esc closes · ↑/↓ scroll"))
	return b.String()
}

// openSend opens the F9 dialog for the selected namespace's init.
func (m Model) openSend() (tea.Model, tea.Cmd) {
	if m.readOnly {
		m.notice = "read-only: sending signals is turned off (R toggles it unless --read-only was given)"
		return m, nil
	}
	key := m.detail.key
	if m.view == mainView {
		r := m.table.current()
		if r == nil {
			return m, nil
		}
		key = r.key
	}
	ns := findNS(m.snap, key)
	if ns == nil || ns.Init == nil {
		m.notice = "no visible init to send to"
		return m, nil
	}
	m.dialog = &sendDialog{target: ns.Init, assess: m.as.Of(ns.Init), nsKey: key}
	// htop's habit is filter by PID, then F9 on that process; here F9 is
	// for the init, so say so when the filter named another process.
	if f := strings.TrimSpace(m.filter.Value()); isDigits(f) && f != strconv.Itoa(ns.Init.PID) {
		if pid, _ := strconv.Atoi(f); m.snap.Process(pid) != nil {
			m.dialog.note = fmt.Sprintf("the filter names PID %s, which is not this namespace's init: F9 signals the init; `sigview send %s` signals PID %s", f, f, f)
		}
	}
	return m, nil
}

func (m Model) handleDetailKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.view = mainView
		return m, nil
	case key.Matches(msg, m.keys.AllSignals):
		m.detail.all = !m.detail.all
		m.detail.refresh(m.as, m.styles)
		return m, nil
	case key.Matches(msg, m.keys.Top):
		m.detail.vp.GotoTop()
		return m, nil
	case key.Matches(msg, m.keys.Bottom):
		m.detail.vp.GotoBottom()
		return m, nil
	}
	var cmd tea.Cmd
	m.detail, cmd = m.detail.Update(msg)
	return m, cmd
}

// handleFilterKey edits the filter: the list narrows as you type, Enter
// keeps the filter, Esc clears it.
func (m Model) handleFilterKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "enter":
		m.filterOn = false
		m.filter.Blur()
		if r := m.table.current(); r != nil && r.context {
			m.table.firstMatch()
		}
		return m, nil
	case "esc":
		m.filterOn = false
		m.filter.Blur()
		m.filter.SetValue("")
		m.refresh()
		return m, nil
	case "ctrl+c":
		return m, tea.Quit
	}
	before := m.filter.Value()
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	m.refresh()
	if m.filter.Value() != before {
		// A new filter puts the cursor on its first match, not on the
		// ancestors shown around it for context.
		m.table.firstMatch()
	}
	return m, cmd
}

// View renders the screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.content())
	v.AltScreen = true
	v.WindowTitle = "sigview"
	return v
}

func (m Model) content() string {
	if m.width == 0 {
		return "sigview: starting…"
	}
	var body string
	switch {
	case m.dialog != nil:
		body = m.dialog.view(m.styles, m.width)
	case m.showHelp || m.showWarnings:
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
		if ansi.StringWidth(l) > m.width {
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
	if f := m.filter.Value(); f != "" && m.view == mainView {
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
	if f := m.filter.Value(); f != "" {
		head = m.styles.Warn.Render("filter: "+procinspect.Printable(f)+" (esc clears)") + "  " + head
	}
	head = ansi.Truncate(head, avail, "…")
	gap := max(m.width-lipgloss.Width(head)-lipgloss.Width(tail), 1)
	return head + strings.Repeat(" ", gap) + tail
}

// helpView is the '?' screen: keys, then what the columns and verdict words mean.
func (m Model) helpView() string {
	st := m.styles
	wrap := lipgloss.NewStyle().Width(max(m.width, 20))
	var b strings.Builder
	b.WriteString(st.Section.Render("Keys") + "\n")
	groups := m.keys.FullHelp()
	if m.width >= 100 {
		b.WriteString(m.help.FullHelpView(groups) + "\n\n")
	} else {
		// Narrow: one group under the other, so no column is cut.
		for _, g := range groups {
			b.WriteString(m.help.FullHelpView([][]key.Binding{g}) + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString(st.Section.Render("Columns") + "\n")
	b.WriteString(wrap.Render("inside: kill by root in the namespace itself (docker exec … kill 1)") + "\n")
	b.WriteString(wrap.Render("host: kill by root on the host or an ancestor namespace (docker stop)") + "\n")
	b.WriteString(wrap.Render("filter: text matches process names; a number matches a PID, or the end of a namespace inode (5+ digits)") + "\n\n")
	b.WriteString(st.Section.Render("Verdicts") + "\n")
	for _, v := range []struct {
		v    predict.Verdict
		text string
	}{
		{predict.Yes, "the init ends, and its whole namespace with it"},
		{predict.No, "it does not end now: dropped, ignored, queued or deferred"},
		{predict.Depends, "its own code decides: a handler, signalfd or sigtimedwait"},
		{predict.VerdictUnknown, "a fact it needs is unreadable (Enter shows which)"},
	} {
		word := st.Verdict[v.v].Render(pad(verdictGlyph[v.v]+" "+string(v.v), 11))
		text := lipgloss.NewStyle().Width(max(m.width-11, 20)).Render(v.text)
		b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, word, text) + "\n")
	}
	b.WriteString("\n" + st.Faint.Render("? or esc closes this help · ↑/↓ pgup/pgdn scroll"))
	return b.String()
}

// truncate cuts s to w cells.
func truncate(s string, w int) string { return pad(s, max(w, 1)) }
