package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestPredictOncePerScan: the table, the detail view and the send dialog
// read the snapshot's assessments. Showing a scan predicts a fixed number
// of times, however many frames are drawn and keys pressed; only a new scan
// predicts again.
func TestPredictOncePerScan(t *testing.T) {
	before := predict.PredictCalls()
	m := selectNS(t, newTestModel(t, 120, 40), ctNS)
	first := predict.PredictCalls() - before
	if first == 0 {
		t.Fatalf("showing a scan made no prediction; the counter does not count")
	}
	frames := func(m Model) Model {
		for range 5 {
			_ = screen(m)
			m = update(t, m, tea.KeyPressMsg{Code: tea.KeyDown})
			m = update(t, m, tea.KeyPressMsg{Code: tea.KeyUp})
		}
		return m
	}
	m = frames(m)
	m = selectNS(t, m, ctNS)
	mid := predict.PredictCalls()
	m = frames(m)
	if got := predict.PredictCalls() - mid; got != 0 {
		t.Errorf("10 more frames of the table predicted %d times; want 0 (they read the assessment)", got)
	}
	// The detail view predicts once per process listed, the first time.
	m = press(t, m, "enter")
	opened := predict.PredictCalls()
	for range 5 {
		m = press(t, m, "a", "a")
		_ = screen(m)
	}
	if got := predict.PredictCalls() - opened; got != 0 {
		t.Errorf("redrawing the detail view 10 times predicted %d times; want 0", got)
	}
	m = press(t, m, "esc")
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyF9})
	if m.dialog == nil {
		t.Fatalf("F9 did not open the send dialog")
	}
	dialog := predict.PredictCalls()
	for range 2 * len(sendSignals) {
		m = update(t, m, tea.KeyPressMsg{Code: tea.KeyRight})
		m = update(t, m, tea.KeyPressMsg{Code: tea.KeyTab})
		_ = screen(m)
	}
	if got := predict.PredictCalls() - dialog; got != 0 {
		t.Errorf("%d frames of the send dialog predicted %d times; want 0", 2*len(sendSignals), got)
	}
	// A new scan is assessed anew: the same fixture costs the same.
	m = press(t, m, "esc")
	rescan := predict.PredictCalls()
	m = update(t, m, scanResultMsg{as: assessed(fixtureSnap(t))})
	_ = screen(m)
	if got := predict.PredictCalls() - rescan; got != first {
		t.Errorf("a new scan of the same procfs predicted %d times; want %d as the first", got, first)
	}
}
