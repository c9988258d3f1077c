package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sigview/sigview/procinspect"
)

// BenchmarkFrame measures the UI over the live /proc: run it with many
// processes on the machine to see the cost at that size. "frame" is one
// View() of a screen; "scan+update" is a whole refresh cycle after a scan.
func BenchmarkFrame(b *testing.B) {
	sc := procinspect.Scanner{Root: "/proc"}
	snap, err := sc.Scan()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(snap.Processes)), "procs")
	m := New(sc, Options{Interval: time.Second})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 45})
	next, _ = next.(Model).Update(scanResultMsg{as: assessed(snap)})
	main := next.(Model)
	b.Run("main", func(b *testing.B) {
		for b.Loop() {
			_ = main.View()
		}
	})
	det, _ := main.Update(tea.KeyPressMsg{Code: tea.KeyEnter}) // the host namespace: every process
	detail := det.(Model)
	b.Run("detail", func(b *testing.B) {
		for b.Loop() {
			_ = detail.View()
		}
	})
	b.Run("update-detail", func(b *testing.B) {
		for b.Loop() {
			_, _ = detail.Update(scanResultMsg{as: assessed(snap)})
		}
	})
	b.Run("scan+update-main", func(b *testing.B) {
		for b.Loop() {
			s, err := sc.Scan()
			if err != nil {
				b.Fatal(err)
			}
			_, _ = main.Update(scanResultMsg{as: assessed(s)})
		}
	})
}
