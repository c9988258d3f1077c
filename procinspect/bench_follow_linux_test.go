package procinspect

import (
	"bufio"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRescanLearned is watch's rescan with watch.MaxLearned (64)
// sleeping processes it learnt were signalled, read in depth as asked for
// (Scanner.Deep, before) and as followed (Scanner.Follow). The sleeps are
// started by one shell in a process group of its own, killed afterwards.
func BenchmarkRescanLearned(b *testing.B) {
	c := exec.Command("sh", "-c", `i=0; while [ $i -lt 64 ]; do sleep 100000 & echo $!; i=$((i+1)); done; wait`)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := c.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL) // the group of the shell this benchmark started
		c.Wait()
	}()
	var pids []int
	for rd := bufio.NewScanner(out); len(pids) < 64 && rd.Scan(); {
		pid, err := strconv.Atoi(strings.TrimSpace(rd.Text()))
		if err != nil {
			b.Fatal(err)
		}
		pids = append(pids, pid)
	}
	time.Sleep(200 * time.Millisecond) // every sleep asleep
	for _, c := range []struct {
		name string
		sc   Scanner
	}{{"Deep", Scanner{Deep: pids}}, {"Follow", Scanner{Follow: pids}}} {
		b.Run(c.name, func(b *testing.B) {
			sc := c.sc
			prev, err := sc.Scan()
			if err != nil {
				b.Fatal(err)
			}
			var cpu time.Duration
			for b.Loop() {
				sc.Prev = prev
				t := cpuTime()
				if prev, err = sc.Scan(); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - t
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(len(prev.Processes)), "procs")
		})
	}
}

// BenchmarkRescanEvents is the live UI's refresh: a rescan that builds on
// the previous one and follows the kernel's process events (Scanner.Events)
// instead of listing /proc. It needs CAP_NET_ADMIN in the initial
// namespaces; run it with many processes (scripts/bench-ui.sh -w).
func BenchmarkRescanEvents(b *testing.B) {
	ev, err := OpenEvents()
	if err != nil {
		b.Skipf("process events: %v", err)
	}
	defer ev.Close()
	sc := Scanner{Events: ev}
	prev, err := sc.Scan()
	if err != nil {
		b.Fatalf("Scan(): %v", err)
	}
	nproc := len(prev.Processes)
	derived := EventsDerived(ev)
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
	// Broken events (ENOBUFS in the storm of a large set-up) make every
	// rescan list /proc: numbers under this name would be a listing's.
	if why := ev.Broken(); why != "" {
		b.Fatalf("the process events broke, so the rescans listed /proc: %s", why)
	}
	// Every verifyEvery-th rescan lists /proc anyway (events.go): the share
	// derived from the events is reported.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(nproc), "procs")
	b.ReportMetric(float64(EventsDerived(ev)-derived)/float64(b.N), "derived/op")
}
