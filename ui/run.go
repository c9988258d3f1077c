package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/sigview/sigview/procinspect"
)

// framesPerSecond is how often a changed screen is written out. Bubble Tea
// wakes at this rate whether or not anything changed (60 by default), and
// each wakeup keeps the Go runtime's monitor spinning: at 30 an idle UI
// costs about 0.5 % of a core less on the test VM, and a keypress still
// reaches the screen within 33 ms of its repaint.
const framesPerSecond = 30

// Run runs the live UI on the terminal until the user quits.
func Run(sc procinspect.Scanner, opts Options) error {
	po := []tea.ProgramOption{tea.WithFPS(framesPerSecond)}
	if opts.Context != nil {
		po = append(po, tea.WithContext(opts.Context))
	}
	defer uiProcs.start()()
	_, err := tea.NewProgram(New(sc, opts), po...).Run()
	return err
}
