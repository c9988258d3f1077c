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

// BenchmarkKeys measures a keypress over the live /proc, from the key to
// the repainted screen (Update, then View), from the last snapshot: run it
// with many processes (scripts/bench-ui.sh makes them) to see the cost at
// size. No key here rescans: the filter narrows the rows built once per
// scan.
func BenchmarkKeys(b *testing.B) {
	sc := procinspect.Scanner{Root: "/proc"}
	snap, err := sc.Scan()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(snap.Processes)), "procs")
	b.ReportMetric(float64(len(snap.Namespaces)), "namespaces")
	m := New(sc, Options{Interval: time.Second})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 45})
	next, _ = next.(Model).Update(scanResultMsg{as: assessed(snap)})
	main := next.(Model)
	press := func(m Model, k tea.KeyPressMsg) Model {
		n, _ := m.Update(k)
		_ = n.(Model).View()
		return n.(Model)
	}
	b.Run("down", func(b *testing.B) {
		cur := main
		for b.Loop() {
			cur = press(cur, tea.KeyPressMsg{Code: tea.KeyDown})
		}
	})
	b.Run("filter-type", func(b *testing.B) {
		cur := press(main, tea.KeyPressMsg{Code: '/', Text: "/"})
		for b.Loop() {
			cur = press(cur, tea.KeyPressMsg{Code: 's', Text: "s"})
			cur = press(cur, tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
	})
	b.Run("open-detail", func(b *testing.B) {
		// The last namespace: a container's, as on a busy node.
		cur := press(main, tea.KeyPressMsg{Code: tea.KeyEnd})
		for b.Loop() {
			d := press(cur, tea.KeyPressMsg{Code: tea.KeyEnter})
			_ = press(d, tea.KeyPressMsg{Code: tea.KeyEscape})
		}
	})
}

// BenchmarkKeysAtSize is BenchmarkKeys over a copy of the fixture procfs
// grown to about 20,000 processes in 304 namespaces (bigProcfs), so that
// the cost of a keypress at size can be measured anywhere: from the key
// to the repainted screen (Update, then View). "open-detail-host" opens
// the host's namespace (507 processes, the detail view's longest list,
// where the cursor starts); "scan-result" is the Update and View of a
// scan's arrival in the main view and in the host's detail view.
func BenchmarkKeysAtSize(b *testing.B) {
	root, self := bigProcfs(b, 500, 300, 63)
	sc := procinspect.Scanner{Root: root, SelfNS: self}
	snap, err := sc.Scan()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(snap.Processes)), "procs")
	m := New(sc, Options{Interval: time.Second})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 45})
	next, _ = next.(Model).Update(scanResultMsg{as: assessed(snap)})
	main := next.(Model)
	press := func(m Model, k tea.KeyPressMsg) Model {
		n, _ := m.Update(k)
		_ = n.(Model).View()
		return n.(Model)
	}
	b.Run("down", func(b *testing.B) {
		cur := main
		for b.Loop() {
			cur = press(cur, tea.KeyPressMsg{Code: tea.KeyDown})
		}
	})
	b.Run("filter-type", func(b *testing.B) {
		cur := press(main, tea.KeyPressMsg{Code: '/', Text: "/"})
		for b.Loop() {
			cur = press(cur, tea.KeyPressMsg{Code: 's', Text: "s"})
			cur = press(cur, tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
	})
	b.Run("filter-first", func(b *testing.B) {
		// The first letter typed after a rescan: the names are gathered.
		open := press(main, tea.KeyPressMsg{Code: '/', Text: "/"})
		for b.Loop() {
			b.StopTimer()
			cur := open
			cur.as = assessed(snap)
			cur.rows = nil
			cur.refresh()
			b.StartTimer()
			_ = press(cur, tea.KeyPressMsg{Code: 's', Text: "s"})
		}
	})
	b.Run("open-detail-host", func(b *testing.B) {
		// A new scan's assessments each time (made outside the timing, as
		// the scan command makes them): what a key after a rescan meets.
		for b.Loop() {
			b.StopTimer()
			cur := main
			cur.as = assessed(snap)
			cur.rows = nil
			b.StartTimer()
			d := press(cur, tea.KeyPressMsg{Code: tea.KeyEnter})
			_ = press(d, tea.KeyPressMsg{Code: tea.KeyEscape})
		}
	})
	arrive := func(b *testing.B, m Model) {
		for b.Loop() {
			b.StopTimer()
			msg := scanResultMsg{as: assessed(snap)}
			b.StartTimer()
			n, _ := m.Update(msg)
			_ = n.(Model).View()
		}
	}
	b.Run("scan-result-main", func(b *testing.B) { arrive(b, main) })
	det := press(main, tea.KeyPressMsg{Code: tea.KeyEnter})
	b.Run("scan-result-detail", func(b *testing.B) { arrive(b, det) })
	b.Run("view-main", func(b *testing.B) {
		for b.Loop() {
			_ = main.View()
		}
	})
}
