package metrics

import (
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
)

// BenchmarkSource is serve's background scan of the live /proc at its
// steady state: Source.Scan building on the last scan (Scanner.Prev), the
// assessments and the exported rows. cpu-ms/op is the process's CPU per
// scan (garbage collection included); run it with many processes
// (scripts/bench-ui.sh -w makes and holds them).
func BenchmarkSource(b *testing.B) {
	src := &Source{Scanner: procinspect.Scanner{}}
	first, err := src.Scan()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		c := cpuTime()
		if _, err := src.Scan(); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(first.Processes), "procs")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
