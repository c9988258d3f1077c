package document

import (
	"io"
	"testing"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// BenchmarkJSON is `sigview --json --no-probe` without the process start:
// a scan of the live /proc, its assessment and the document written out.
// Start many processes first to measure at that size; allocs/proc and
// ns/proc are per process scanned.
func BenchmarkJSON(b *testing.B) {
	sc := procinspect.Scanner{}
	snap, err := sc.Scan()
	if err != nil {
		b.Fatal(err)
	}
	nproc := len(snap.Processes)
	b.ReportAllocs()
	for b.Loop() {
		s, err := sc.Scan()
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteReport(io.Discard, s, predict.Assess(s, s.Kernel)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nproc), "ns/proc")
	b.ReportMetric(float64(nproc), "procs")
}
