package procinspect

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time this process has used, user and system: on a
// busy machine a benchmark's wall time says little about its cost.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

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
	var cpu time.Duration
	for b.Loop() {
		c := cpuTime()
		if _, err := sc.Scan(); err != nil {
			b.Fatalf("Scan(): %v", err)
		}
		cpu += cpuTime() - c
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
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

// BenchmarkRescan is the live UI's and serve's refresh of the live /proc:
// a scan that builds on the previous one (Scanner.Prev). Compare its
// ns/proc with BenchmarkScan's; run it with many processes
// (scripts/bench-ui.sh -w makes and holds them).
func BenchmarkRescan(b *testing.B) {
	sc := Scanner{}
	prev, err := sc.Scan()
	if err != nil {
		b.Fatalf("Scan(): %v", err)
	}
	nproc := len(prev.Processes)
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		sc.Prev = prev
		c := cpuTime()
		if prev, err = sc.Scan(); err != nil {
			b.Fatalf("Scan(): %v", err)
		}
		cpu += cpuTime() - c
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nproc), "ns/proc")
	b.ReportMetric(float64(nproc), "procs")
	b.ReportMetric(float64(len(prev.Namespaces)), "namespaces")
}
