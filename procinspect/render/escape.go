package render

import (
	"github.com/sigview/sigview/procinspect"
)

// State is a state letter for a terminal: "unknown" when it was not read,
// and escaped when it is not a printable letter (a hostile or corrupt copy
// of /proc).
func State(s byte) string {
	if s == 0 {
		return "unknown"
	}
	return procinspect.Printable(string([]byte{s}))
}
