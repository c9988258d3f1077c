package ui

import (
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/sigview/sigview/procinspect"
)

// framesPerSecond is how often Bubble Tea writes a changed screen out when
// the pacer (pace.go) cannot run its ticker. It wakes at this rate whether
// or not anything changed (60 by default), and each wakeup keeps the Go
// runtime's monitor spinning: at 30 an idle UI costs about 0.5 % of a core
// less on the test VM than at 60, and a keypress still reaches the screen
// within 33 ms of its repaint.
const framesPerSecond = 30

// Run runs the live UI on the terminal until the user quits.
func Run(sc procinspect.Scanner, opts Options) error {
	pace := newPacer()
	po := []tea.ProgramOption{tea.WithFPS(framesPerSecond), tea.WithOutput(pace.output(os.Stdout))}
	if opts.Context != nil {
		po = append(po, tea.WithContext(opts.Context))
	}
	defer uiProcs.start()()
	m := New(sc, opts)
	m.pace = pace
	pace.prog = tea.NewProgram(m, po...)
	_, err := pace.prog.Run()
	return err
}
