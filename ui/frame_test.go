package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestFrameMemoIsFresh: the frame View returns is, after every message,
// the one built afresh from the model (frameMemo never shows a stale
// screen), and the rescan tick, which changes nothing shown, keeps the
// frame built (it is not built again).
func TestFrameMemoIsFresh(t *testing.T) {
	m := newTestModel(t, 160, 40)
	steps := []tea.Msg{
		keyMsg("down"), keyMsg("down"), keyMsg("enter"), keyMsg("a"), keyMsg("down"), keyMsg("esc"),
		keyMsg("/"), keyMsg("m"), keyMsg("y"), keyMsg("backspace"), keyMsg("enter"), keyMsg("esc"),
		keyMsg("K"), keyMsg("K"), keyMsg("s"), keyMsg("s"), keyMsg("?"), keyMsg("esc"), keyMsg("w"), keyMsg("esc"),
		keyMsg("R"), keyMsg("up"), tickMsg(time.Now()),
		scanResultMsg{as: assessed(fixtureSnap(t)), took: 9 * time.Millisecond},
		tea.BackgroundColorMsg{}, tea.WindowSizeMsg{Width: 100, Height: 30}, keyMsg("enter"),
		scanResultMsg{as: assessed(fixtureSnap(t)), took: 11 * time.Millisecond}, keyMsg("esc"),
	}
	for i, msg := range steps {
		m = update(t, m, msg)
		if got, want := m.View().Content, m.content(); got != want {
			t.Fatalf("after step %d (%T %v) the frame is stale:\n%s\nwant\n%s", i, msg, msg, got, want)
		}
	}
	_ = m.View()
	built := m.memo.frame
	next := update(t, m, tickMsg(time.Now()))
	if next.gen != m.gen {
		t.Error("the rescan tick gave the model a new state: its frame would be built again")
	}
	if next.View().Content != built {
		t.Error("the frame after the tick is not the one built before it")
	}
}
