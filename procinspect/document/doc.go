// Package document owns sigview's JSON documents (docs/json.md): the
// snapshot of --json and serve, explain, send and the try reports, built
// from the facts and their Assessments. Write writes them with
// encoding/json; WriteReport streams the snapshot a namespace at a time,
// its processes written by hand (appendProcesses), byte for byte what
// encoding/json writes for the whole document (TestWriteReportSame,
// TestAppendProcessesAsTheEncoder, TestEncodeNSTakesTheFastPath).
package document
