package enginetest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stopTimeout is the short timeout every row uses, by "stop -t" or by
// --stop-timeout.
const stopTimeout = 2

// stopRow is one container configuration and what the engine, measured,
// does to it on stop.
type stopRow struct {
	name string
	args []string // before the image
	cmd  []string
	t    int // "stop -t"; -1 for none (the container's own --stop-timeout)
	// The engine's measured behaviour.
	atOnce   bool // stopped well before the timeout; else after it
	exitCode int  // State.ExitCode
	// verdict is what sigview must predict for the stop signal: "yes" and
	// "no" are checked against the measured stop; "depends" is right only
	// where a shell's trap (whose code /proc does not show) decides.
	verdict string
	comm    string // the program to wait for before stopping; "" means sleep
}

// stopRows is the table of the issue, as Docker 20.10 and Podman 4.3 were
// measured to behave: a PID 1 without a handler ignores the stop signal
// (the kernel drops it), so the engine waits the timeout and kills (137).
var stopRows = []stopRow{
	{name: "exec-sleep", cmd: []string{"sleep", "1000"}, t: stopTimeout, atOnce: false, exitCode: 137, verdict: "no"},
	{name: "init-sleep", args: []string{"--init"}, cmd: []string{"sleep", "1000"}, t: stopTimeout, atOnce: true, exitCode: 143, verdict: "yes"},
	{name: "stopsignal-INT", args: []string{"--stop-signal", "SIGINT"},
		cmd: []string{"bash", "-c", `trap "exit 130" INT; sleep 1000 & wait`}, t: stopTimeout, atOnce: true, exitCode: 130, verdict: "depends"},
	// A Go program without signal.Notify ends on SIGINT with exit status 2,
	// even as PID 1 (docs/kernel-signals.md §8).
	{name: "stopsignal-INT-go", args: []string{"--stop-signal", "SIGINT"}, cmd: []string{"/goinit", "plain"}, comm: "goinit",
		t: stopTimeout, atOnce: true, exitCode: 2, verdict: "yes"},
	{name: "stoptimeout-2", args: []string{"--stop-timeout", strconv.Itoa(stopTimeout)}, cmd: []string{"sleep", "1000"}, t: -1, atOnce: false, exitCode: 137, verdict: "no"},
	{name: "shell-form", cmd: []string{"sh", "-c", "sleep 1000; true"}, t: stopTimeout, atOnce: false, exitCode: 137, verdict: "no"},
	// Forwarders' own options: dumb-init told to drop SIGTERM keeps
	// running until SIGKILL; told to turn it into SIGINT, its child dies of
	// that (130); tini -e 143 reports the child's 143 as 0.
	{name: "dumb-init-rewrite-15-0", cmd: []string{"dumb-init", "--rewrite", "15:0", "sleep", "1000"}, t: stopTimeout, atOnce: false, exitCode: 137, verdict: "no"},
	{name: "dumb-init-rewrite-15-2", cmd: []string{"dumb-init", "--rewrite", "15:2", "sleep", "1000"}, t: stopTimeout, atOnce: true, exitCode: 130, verdict: "yes"},
	{name: "tini-e-143", cmd: []string{"tini-static", "-e", "143", "--", "sleep", "1000"}, t: stopTimeout, atOnce: true, exitCode: 0, verdict: "yes"},
	// A real-time stop signal, named as the engines name it: SIGRTMIN+3 is
	// 37 for docker and podman, and sigview must show it as SIGRTMIN+3.
	{name: "stopsignal-RTMIN-3", args: []string{"--stop-signal", "SIGRTMIN+3"}, cmd: []string{"sleep", "1000"}, t: stopTimeout, atOnce: false, exitCode: 137, verdict: "no"},
	{name: "bash-trap-TERM", cmd: []string{"bash", "-c", `trap "exit 0" TERM; sleep 1000 & wait $!`}, t: stopTimeout, atOnce: true, exitCode: 0, verdict: "depends"},
}

// beforeStop, when set, is called with the container's init as the host
// sees it (State.Pid) just before the engine stops it: the place for
// sigview's prediction for that PID, to be compared with the row.
var beforeStop func(t *testing.T, engine string, row stopRow, pid int)

func TestDockerStopBehaviour(t *testing.T) {
	t.Parallel()
	testStop(t, StartDocker(t))
}

func TestPodmanStopBehaviour(t *testing.T) {
	t.Parallel()
	testStop(t, NewPodman(t))
}

func testStop(t *testing.T, e Engine) {
	for _, r := range stopRows {
		t.Run(r.name, func(t *testing.T) {
			in := e.Run(t, "stop-"+r.name, r.args, r.cmd...)
			comm := r.comm
			if comm == "" {
				comm = "sleep"
			}
			waitForComm(t, in.Pid, comm)
			if beforeStop != nil {
				beforeStop(t, e.Name(), r, in.Pid)
			}
			start := time.Now()
			e.Stop(t, in.ID, r.t)
			took := time.Since(start)
			out := e.Inspect(t, in.ID)
			t.Logf("%s %-15s stop signal %-7q timeout %s: stopped in %v, exit code %d (init pid %d)",
				e.Name(), r.name, in.StopSignal, timeoutText(r, in), took.Round(10*time.Millisecond), out.ExitCode, in.Pid)
			if out.Running {
				t.Fatalf("still running after stop")
			}
			if out.ExitCode != r.exitCode {
				t.Errorf("exit code %d, want %d", out.ExitCode, r.exitCode)
			}
			// How long the stop took tells whether the engine had to wait
			// for its timeout. An exit code other than 137 that is the one
			// wanted already says the stop signal ended the init (no SIGKILL):
			// the clock is not asked then, as a loaded machine slows an
			// engine's own work by seconds. A wait for the timeout can never
			// be shorter than it; the upper bound only catches a hang.
			limit := stopTimeout * time.Second
			switch {
			case r.atOnce && r.exitCode != 137 && out.ExitCode == r.exitCode:
			case r.atOnce && took >= limit-500*time.Millisecond:
				t.Errorf("took %v, want well under the %v timeout", took, limit)
			case !r.atOnce && (took < limit || took > limit+20*time.Second):
				t.Errorf("took %v, want the %v timeout then SIGKILL", took, limit)
			}
		})
	}
}

func timeoutText(r stopRow, in Inspect) string {
	if r.t >= 0 {
		return "-t " + strconv.Itoa(r.t)
	}
	if in.StopTimeout != nil {
		return "--stop-timeout " + strconv.FormatInt(*in.StopTimeout, 10)
	}
	return "default"
}

// waitForComm waits until pid or one of its descendants runs comm, so a
// shell's trap is installed before the stop signal arrives.
func waitForComm(t *testing.T, pid int, comm string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if treeHas(pid, comm, 0) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s under pid %d after 10 s", comm, pid)
}

func treeHas(pid int, comm string, depth int) bool {
	p := filepath.Join("/proc", strconv.Itoa(pid))
	if b, err := os.ReadFile(filepath.Join(p, "comm")); err == nil && strings.TrimSpace(string(b)) == comm {
		return true
	}
	if depth > 4 {
		return false
	}
	b, _ := os.ReadFile(filepath.Join(p, "task", strconv.Itoa(pid), "children"))
	for _, c := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(c); err == nil && treeHas(n, comm, depth+1) {
			return true
		}
	}
	return false
}
