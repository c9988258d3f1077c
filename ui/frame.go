package ui

import "sync/atomic"

// A frame is rebuilt only when what it is made of changed: Bubble Tea asks
// for View after every message, and at 1,000 processes the UI's fixed cost
// per second is a few milliseconds, of which building frames that did not
// change (the rescan tick's) and the footer's key hint (lipgloss, the same
// on every frame) were a part (issue 19).

// frameMemo holds the last frame and footer built; shared by the copies
// of the model Bubble Tea makes (New makes it).
type frameMemo struct {
	gen     uint64 // the model state the frame was built from (Model.gen)
	frame   string
	footKey footerKey
	footer  string
	hasFoot bool
}

// gens numbers model states: every Update that may change what is shown
// gives the model a number never given before, so two models branched from
// one (as tests do) never share a frame.
var gens atomic.Uint64

func nextGen() uint64 { return gens.Add(1) }

// footerKey is everything the footer is made of, but the open filter's
// input line (drawn by the text input itself, not kept).
type footerKey struct {
	view      view
	width     int
	notice    string
	sortBy    sortKey
	needsKill bool
	filter    string
	isDark    bool
}

func (m Model) footerKey() footerKey {
	return footerKey{view: m.view, width: m.width, notice: m.notice, sortBy: m.sortBy, needsKill: m.needsKill,
		filter: m.filter.Value(), isDark: m.isDark}
}
