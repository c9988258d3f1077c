// Package texttest holds what tests of several packages check about text
// a process controls: that nothing of it reaches a terminal raw.
package texttest

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Hazard says what in s could act on a terminal (invalid UTF-8, a C0 or C1
// control character, an unprintable rune), or "" when nothing does.
func Hazard(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return "control character " + strconv.QuoteRune(r)
		}
		if !unicode.IsPrint(r) && r != ' ' {
			return "unprintable rune " + strconv.QuoteRune(r)
		}
	}
	return ""
}
