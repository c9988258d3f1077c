// Package docscheck holds a test that every document the repository cites
// by path (docs/NAME.md, with an optional §N section) exists in docs/ and
// has that section.
package docscheck
