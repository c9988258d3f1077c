package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/sigview/sigview/procinspect"
)

// Run runs the live UI on the terminal until the user quits.
func Run(sc procinspect.Scanner, opts Options) error {
	_, err := tea.NewProgram(New(sc, opts)).Run()
	return err
}
