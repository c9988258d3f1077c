package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestRowCacheRendersTheSame: the main view drawn with the rendered-row
// cache is byte for byte the one drawn without it, as the cursor moves,
// after a new scan, at another width, and after the styles change.
func TestRowCacheRendersTheSame(t *testing.T) {
	check := func(m Model, when string) {
		t.Helper()
		got := m.table.View(m.styles)
		bare := m.table
		bare.lines = nil
		if want := bare.View(m.styles); got != want {
			t.Errorf("%s: with the cache\n%s\nwithout\n%s", when, got, want)
		}
	}
	for _, w := range []int{80, 160, 200} {
		m := newTestModel(t, w, 30)
		if m.table.lines == nil {
			t.Fatal("the model has no row cache")
		}
		check(m, "first frame")
		check(m, "second frame (from the cache)")
		for i := 0; i < len(m.table.rows); i++ {
			m = press(t, m, "down")
			check(m, "after down")
		}
		m = update(t, m, scanResultMsg{as: assessed(fixtureSnap(t)), took: 7 * time.Millisecond})
		check(m, "after a rescan")
		m = update(t, m, tea.BackgroundColorMsg{})
		check(m, "after the styles changed")
		m = press(t, m, "s")
		check(m, "sorted by stop")
	}
}
