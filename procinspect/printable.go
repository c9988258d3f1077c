package procinspect

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable makes a process-controlled string (a name, an argument) safe to
// show on a terminal: control characters and invalid UTF-8 bytes become
// \xNN or \u{NNNN} escapes, and a backslash that does not start one of the
// kernel's own escapes stays as it is. Nothing a process puts in its name
// reaches the terminal raw.
func Printable(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case !unicode.IsPrint(r) && r != ' ':
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
