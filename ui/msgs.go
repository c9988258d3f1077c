package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// scanResultMsg carries a finished scan.
// The scan command also assesses the snapshot, so that Update and the
// views only read the Assessments.
type scanResultMsg struct {
	as   *predict.Assessments
	took time.Duration
}

// scanErrMsg carries a failed scan.
type scanErrMsg struct{ err error }

// tickMsg asks for the periodic rescan.
type tickMsg time.Time

// scanCmd scans in the background: Update never touches /proc. An init
// whose facts are those of the last scan keeps its assessment (prev:
// predict.Reassess).
func scanCmd(sc procinspect.Scanner, prev *predict.Assessments) tea.Cmd {
	return func() tea.Msg {
		defer uiProcs.scan()()
		start := time.Now()
		snap, err := sc.Scan()
		if err != nil {
			return scanErrMsg{err}
		}
		return scanResultMsg{as: predict.Reassess(prev, snap, snap.Kernel), took: time.Since(start)}
	}
}

// deepScanMsg asks for the scan that reads the detail view's processes in
// depth, once the view has been painted.
type deepScanMsg struct{ key nsKey }

// deepScanDelay is how long after opening the detail view its scan starts:
// two frames (framesPerSecond), so the first paint does not share the CPU
// with the scan.
const deepScanDelay = 2 * time.Second / framesPerSecond

func deepScanAfter(key nsKey) tea.Cmd {
	return tea.Tick(deepScanDelay, func(time.Time) tea.Msg { return deepScanMsg{key} })
}

// tickCmd schedules the next periodic rescan.
func tickCmd(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(t time.Time) tea.Msg { return tickMsg(t) })
}
