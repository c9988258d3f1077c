package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handleKey is what a key does in each state of the UI: an open filter,
// dialog or overlay takes it first. The bindings are in keys.go.
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
	if m.showHelp || m.showWarnings || m.showLog {
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
	case key.Matches(msg, m.keys.SignalLog):
		m.showLog = true
		m.setOverlay(true)
	case key.Matches(msg, m.keys.Rescan):
		return m, m.scanIfIdle()
	case m.view == detailView:
		return m.handleDetailKey(msg)
	case key.Matches(msg, m.keys.Filter):
		m.filterOn = true
		return m, m.filter.Focus()
	case key.Matches(msg, m.keys.NeedsKill):
		m.needsKill = !m.needsKill
		m.refresh()
		m.table.firstMatch()
	case key.Matches(msg, m.keys.Sort):
		m.sortBy = (m.sortBy + 1) % sortKey(len(sortNames))
		m.refresh()
	case key.Matches(msg, m.keys.Back) && m.filter.Value() != "":
		m.filter.SetValue("")
		m.refresh()
	case key.Matches(msg, m.keys.Detail):
		if r := m.table.current(); r != nil {
			m.view, m.detail.key = detailView, r.key
			m.detail.vp.GotoTop()
			m.detail.refresh(m.as, m.styles)
			// The view is painted from the last snapshot first; the scan
			// that reads its processes in depth starts after that frame,
			// not beside its rendering (at 20,000 processes a rescan is
			// tens of milliseconds of CPU on a machine of two cores).
			return m, deepScanAfter(r.key)
		}
	default:
		m.table = m.table.Update(msg, m.keys)
	}
	return m, nil
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
	inside := m.snap.SendsFromInside(ns.Init)
	m.dialog = &sendDialog{target: ns.Init, assess: m.as.Of(ns.Init), nsKey: key, inside: inside, insideOnly: inside,
		guard: m.snap.IsHostInit(ns.Init)}
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
