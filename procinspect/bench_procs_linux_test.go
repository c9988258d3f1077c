package procinspect

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
)

// BenchmarkScanProcs scans the live /proc with 1,000, 4,000 and 20,000 extra
// sleeping processes (SIGVIEW_BENCH_MAX lowers the largest), to show the
// cost per process stays flat. The sleeps are started by shells, 1,000 per
// shell, each shell in a process group of its own that is killed afterwards.
func BenchmarkScanProcs(b *testing.B) {
	limit := 20000
	if v, err := strconv.Atoi(os.Getenv("SIGVIEW_BENCH_MAX")); err == nil {
		limit = v
	}
	var shells []*exec.Cmd
	defer func() {
		for _, c := range shells {
			syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			c.Wait()
		}
	}()
	started := 0
	for _, n := range []int{1000, 4000, 20000} {
		if n > limit {
			break
		}
		for started < n {
			c := exec.Command("sh", "-c", `i=0; while [ $i -lt 1000 ]; do sleep 100000 & i=$((i+1)); done; echo ready; wait`)
			c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			out, err := c.StdoutPipe()
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Start(); err != nil {
				b.Fatalf("start a shell of sleeps: %v", err)
			}
			shells = append(shells, c)
			if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
				b.Fatalf("shell of sleeps: %q %v", line, err)
			}
			started += 1000
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
