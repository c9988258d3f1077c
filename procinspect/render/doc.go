// Package render writes sigview's text outputs — the --once table, explain,
// the try reports and `sigview kernel` — from a snapshot and its
// Assessments, and gives the UI the same columns and wording; it predicts
// nothing and escapes with procinspect.Printable.
package render
