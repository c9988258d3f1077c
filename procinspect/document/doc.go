// Package document owns sigview's JSON documents (docs/json.md): the
// snapshot of --json and serve, explain, send and the try reports, built
// from the facts and their Assessments, and written by one encoder, Write.
package document
