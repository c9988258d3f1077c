package procinspect

import (
	"testing"
)

// BenchmarkScan is a whole scan of the live /proc: enumeration, status,
// cmdline, stat and ns/pid for every process, and the deep facts of every
// namespace init. ns/proc is the time per process.
func BenchmarkScan(b *testing.B) {
	sc := Scanner{}
	snap, err := sc.Scan()
	if err != nil {
		b.Fatalf("Scan(): %v", err)
	}
	nproc := len(snap.Processes)
	if nproc == 0 {
		b.Fatal("Scan() found no processes in /proc")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sc.Scan(); err != nil {
			b.Fatalf("Scan(): %v", err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nproc), "ns/proc")
	b.ReportMetric(float64(nproc), "procs")
}

// BenchmarkScanFixture scans the small fixture tree (no kernel-generated
// files: the parsing and grouping cost alone).
func BenchmarkScanFixture(b *testing.B) {
	sc := Scanner{Root: fxRoot, SelfNS: fxSelfNS}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sc.Scan(); err != nil {
			b.Fatalf("Scan(): %v", err)
		}
	}
}

func BenchmarkParseStatus(b *testing.B) {
	in := []byte(realStatus)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseStatus(in); err != nil {
			b.Fatalf("ParseStatus: %v", err)
		}
	}
}
