package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

// The help (?) and warnings (w) overlays: their text, and their keys.

// handleOverlayKey scrolls the help or warnings overlay; ?, w and esc
// close it (or switch between the two).
func (m Model) handleOverlayKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case msg.String() == "ctrl+c" || key.Matches(msg, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.showHelp, m.showWarnings, m.showLog = !m.showHelp, false, false
		m.setOverlay(true)
	case key.Matches(msg, m.keys.Warnings):
		m.showWarnings, m.showHelp, m.showLog = !m.showWarnings, false, false
		m.setOverlay(true)
	case key.Matches(msg, m.keys.SignalLog):
		m.showLog, m.showHelp, m.showWarnings = !m.showLog, false, false
		m.setOverlay(true)
	case key.Matches(msg, m.keys.Back):
		m.showHelp, m.showWarnings, m.showLog = false, false, false
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
	case m.showLog:
		// The log opens at its newest end and stays there while it
		// grows, unless scrolled up.
		atEnd := m.overlay.AtBottom()
		m.overlay.SetContent(m.logView())
		if top || atEnd {
			m.overlay.GotoBottom()
		}
		return
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
	b.WriteString(wrap.Render("filter (/): text matches, ignoring case, part of any process's name, or of a container's name, image, ID, runtime, pod or pod namespace; a pod's container as namespace/pod/container; a number matches a PID (as the host or the namespace numbers it), a namespace's inode, or its last 5+ digits. Matches show under their ancestors, greyed; the cursor lands on the first match below the host's init.") + "\n")
	b.WriteString(wrap.Render("K: only the namespaces whose configured stop needs SIGKILL (its signal does not end the init: verdict no; depends and unknown are left out). s/F6: the next sort order: tree, STOP's expected seconds (longest first), PROCS, INIT, NAME, CONTAINER. STOP: * marks a value assumed, not read from the container's own configuration. F9 on the machine's own PID 1 asks for its PID typed.") + "\n\n")
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
