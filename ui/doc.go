// Package ui is sigview's live terminal UI: a Bubble Tea program that lays
// out for a screen the assessed snapshots its scan command hands it, in
// the wording of package render. Update and the views never read /proc
// and never predict.
package ui
