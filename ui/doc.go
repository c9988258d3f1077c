// Package ui shows sigview's snapshots to people: the plain table of
// `sigview --once`, the report of `sigview explain PID`, and (in a later
// step) the live terminal UI. It reads nothing from /proc itself: it is
// handed procinspect snapshots.
package ui
