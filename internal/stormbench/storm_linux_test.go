// Package stormbench measures `sigview watch` binaries side by side under
// the same signal storm: for each binary in turn (rounds times), it starts a
// `sleep` init in a new PID namespace, runs `BINARY watch --json --interval
// 1h -s URG PID` (no rescan in the window), measures the watch process's
// CPU while idle and then while it sends -rate SIGURG a second for -seconds
// (10 every 10 ms at the default 1,000), and the latency from each event's
// generation time (the kernel's) to the line being read here. CPU is the
// sum of the watch's threads' run time from /proc/PID/task/*/schedstat.
//
// A measurement, not a test: it runs only when SIGVIEW_STORMBENCH names the
// binaries, as root, on a kernel the recorder runs on, and asserts nothing
// about time. It signals only the sleep it started. Run:
//
//	SIGVIEW_STORMBENCH="/tmp/old/sigview /tmp/new/sigview" go test -count=1 -v \
//	    -run TestStormbench ./internal/stormbench -args -rounds 3
//
// (give different directories: the output names each binary by its
// directory). With -normal, run it under `chrt -f 10` so that its own
// reading is not what is measured; the watch then runs under `chrt -o 0`.
package stormbench

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func threadsRuntime(pid int) time.Duration { return threadsSched(pid).run }

// sched sums the watch's threads' /proc/PID/task/*/schedstat: time on a
// CPU, time waiting on a run queue (runnable, not running), and how many
// times a thread was put on a CPU.
type sched struct {
	run, wait time.Duration
	slices    int64
}

func threadsSched(pid int) sched {
	var total sched
	dirs, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) < 3 {
			continue
		}
		run, _ := strconv.ParseInt(f[0], 10, 64)
		wait, _ := strconv.ParseInt(f[1], 10, 64)
		n, _ := strconv.ParseInt(f[2], 10, 64)
		total.run += time.Duration(run)
		total.wait += time.Duration(wait)
		total.slices += n
	}
	return total
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

type result struct {
	bin                 string
	cpuStorm, cpuIdle   float64 // % of a core
	p50, p99, pmax      time.Duration
	events, lost, total int
	load                string
	// queued is the watch threads' mean wait on a run queue per timeslice
	// (per time a thread was put on a CPU) during the storm (schedstat): the scheduler's share of the
	// latency, which sigview cannot shorten.
	queued time.Duration
	// switches is how many times a watch thread was put on a CPU during
	// the storm, per second (schedstat): what sigview's wakeups cost is
	// mostly these.
	switches float64
}

var interval = flag.String("interval", "1h", "watch --interval")
var normal = flag.Bool("normal", false, "run the watch under chrt -o 0 (when the harness itself runs SCHED_FIFO)")

func run(bin string, rate, seconds int, idle time.Duration) result {
	tg := exec.Command("sleep", "1000")
	tg.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	if err := tg.Start(); err != nil {
		panic(err)
	}
	defer func() { tg.Process.Kill(); tg.Wait() }()
	time.Sleep(100 * time.Millisecond)
	w := exec.Command(bin, "watch", "--json", "--interval", *interval, "-s", "URG", strconv.Itoa(tg.Process.Pid))
	if *normal {
		// The harness runs SCHED_FIFO (its reading is not what is
		// measured); the watch runs as any process does.
		w = exec.Command("chrt", "-o", "0", bin, "watch", "--json", "--interval", *interval, "-s", "URG", strconv.Itoa(tg.Process.Pid))
	}
	w.Env = os.Environ()
	out, _ := w.StdoutPipe()
	errp, _ := w.StderrPipe()
	if err := w.Start(); err != nil {
		panic(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(errp)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), "watching") {
				once = true
				close(ready)
			}
		}
	}()
	type line struct {
		at time.Time
		b  []byte
	}
	lines := make(chan line, 1<<16)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- line{time.Now(), append([]byte(nil), sc.Bytes()...)}
		}
		close(lines)
	}()
	<-ready
	time.Sleep(2 * time.Second) // settle after start
	pid := w.Process.Pid
	r := result{bin: bin}
	c0 := threadsRuntime(pid)
	time.Sleep(idle)
	r.cpuIdle = 100 * float64(threadsRuntime(pid)-c0) / float64(idle)

	total := rate * seconds
	per := max(rate/100, 1) // signals per tick, 100 ticks a second
	s1 := threadsSched(pid)
	c1 := s1.run
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate/per))
	for sent := 0; sent < total; {
		<-tick.C
		for i := 0; i < per && sent < total; i++ {
			syscall.Kill(tg.Process.Pid, syscall.SIGURG)
			sent++
		}
	}
	tick.Stop()
	r.load = loadavg()
	var lat []time.Duration
	deadline := time.After(20 * time.Second)
loop:
	for r.events+r.lost < total {
		select {
		case l, ok := <-lines:
			if !ok {
				break loop
			}
			var m map[string]any
			json.Unmarshal(l.b, &m)
			switch {
			case m["lost"] != nil:
				r.lost += int(m["lost"].(float64))
			case m["update"] == nil && m["signal"] == "SIGURG":
				r.events++
				when, _ := time.Parse(time.RFC3339Nano, m["time"].(string))
				lat = append(lat, l.at.Sub(when))
			}
		case <-deadline:
			break loop
		}
	}
	// CPU over the storm itself: up to the end of sending plus the time
	// to drain (measured to now).
	s2 := threadsSched(pid)
	r.cpuStorm = 100 * float64(s2.run-c1) / float64(time.Since(start))
	if n := s2.slices - s1.slices; n > 0 {
		r.queued = (s2.wait - s1.wait) / time.Duration(n)
		r.switches = float64(n) / time.Since(start).Seconds()
	}
	r.total = total
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		r.p50 = lat[len(lat)/2]
		r.p99 = lat[len(lat)*99/100]
		r.pmax = lat[len(lat)-1]
	}
	w.Process.Signal(syscall.SIGINT)
	go func() {
		for range lines {
		}
	}()
	w.Wait()
	return r
}

var (
	rounds = flag.Int("rounds", 2, "rounds (each runs every binary once)")
	rate   = flag.Int("rate", 1000, "signals per second")
	secs   = flag.Int("seconds", 10, "storm length")
	idle   = flag.Duration("idle", 10*time.Second, "idle measurement")
)

func TestStormbench(t *testing.T) {
	bins := strings.Fields(os.Getenv("SIGVIEW_STORMBENCH"))
	if len(bins) == 0 {
		t.Skip("a measurement: set SIGVIEW_STORMBENCH to the sigview binaries to compare")
	}
	for i := 0; i < *rounds; i++ {
		for _, bin := range bins {
			r := run(bin, *rate, *secs, *idle)
			fmt.Printf("%-28s storm CPU %5.2f%% idle CPU %5.3f%%  latency p50 %8s p99 %8s max %8s  run-queue wait per wakeup %8s (%.0f/s)  events %d lost %d of %d  load %s\n",
				filepath.Base(filepath.Dir(r.bin))+"/"+filepath.Base(r.bin), r.cpuStorm, r.cpuIdle,
				r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.pmax.Round(10*time.Microsecond),
				r.queued.Round(10*time.Microsecond), r.switches, r.events, r.lost, r.total, r.load)
		}
	}
}
