package procinspect

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// BenchmarkScanProcs scans the live /proc with 1,000, 4,000 and 20,000 extra
// sleeping processes (SIGVIEW_BENCH_MAX lowers the largest), to show the
// cost per process stays flat. The sleeps are this benchmark's children and
// are killed by PID afterwards.
func BenchmarkScanProcs(b *testing.B) {
	limit := 20000
	if v, err := strconv.Atoi(os.Getenv("SIGVIEW_BENCH_MAX")); err == nil {
		limit = v
	}
	var kids []*exec.Cmd
	defer func() {
		for _, c := range kids {
			c.Process.Kill()
			c.Wait()
		}
	}()
	for _, n := range []int{1000, 4000, 20000} {
		if n > limit {
			break
		}
		for len(kids) < n {
			c := exec.Command("sleep", "100000")
			if err := c.Start(); err != nil {
				b.Fatalf("start sleep %d: %v", len(kids), err)
			}
			kids = append(kids, c)
		}
		b.Run(fmt.Sprintf("procs=%d", n), func(b *testing.B) {
			sc := Scanner{}
			snap, err := sc.Scan()
			if err != nil {
				b.Fatal(err)
			}
			nproc := len(snap.Processes)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sc.Scan(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nproc), "ns/proc")
			b.ReportMetric(float64(nproc), "procs")
		})
	}
}
