package render

import (
	"encoding/json"
	"io"

	"github.com/sigview/sigview/procinspect"
)

// Text is the escaping boundary for a terminal: every string that a process
// controls (names, arguments, paths, status lines such as State and SigQ)
// passes through it before it is printed, here and in the UI. Control
// characters and invalid UTF-8 become \xNN or \u{NNNN} escapes; clean text
// is returned as it is, so text that was escaped already stays the same.
func Text(s string) string { return procinspect.Printable(s) }

// State is a state letter for a terminal: "unknown" when it was not read,
// and escaped when it is not a printable letter (a hostile or corrupt copy
// of /proc).
func State(s byte) string {
	if s == 0 {
		return "unknown"
	}
	return Text(string([]byte{s}))
}

// WriteJSON writes v as indented JSON, the way every sigview document is
// written: HTML characters as they are, control characters escaped by the
// encoder.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
