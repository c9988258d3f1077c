package enginetest

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect/act"
)

// tryEngine is an engine that sigview try --docker/--podman can drive.
type tryEngine interface {
	Engine
	Import(t testing.TB)
	GlobalArgs() []string
	RunArgs() []string
}

// TestTryEngine runs `sigview try --docker/--podman`'s code against the
// real engines: the engine runs the image, sigview predicts from the
// running container's own configuration, the engine stops it, and the
// report says whether the prediction held and try's exit status.
func TestTryEngine(t *testing.T) {
	t.Parallel()
	for _, e := range []tryEngine{StartDocker(t), NewPodman(t)} {
		e.Import(t)
		for _, c := range []struct {
			name     string
			run      []string
			exit     int // the engine's exit code
			status   int // try's: 0 the stop signal ended it, 3 SIGKILL
			slow     bool
			verdict  string
			stopSig  string
			graceSec int
		}{
			{"exec-sleep", []string{"--stop-timeout", "2"}, 137, 3, true, "no", "SIGTERM", 2},
			{"init-sleep", []string{"--init"}, 143, 0, false, "yes", "SIGTERM", 10},
			{"go-sigint", []string{"--stop-signal", "SIGINT", "--stop-timeout", "3"}, 2, 0, false, "yes", "SIGINT", 3},
			// A real-time stop signal by number, as `sigview try --docker
			// --stop-signal` passes one: the engine's 35 is sigview's
			// SIGRTMIN+1 (SIGRTMIN = 34 for both).
			{"rt-35", []string{"--stop-signal", "35", "--stop-timeout", "2"}, 137, 3, true, "no", "SIGRTMIN+1", 2},
		} {
			cmd := []string{"sleep", "1000"}
			if c.name == "go-sigint" {
				cmd = []string{"/goinit", "plain"}
			}
			rep, err := act.TryEngine(act.EngineTryOptions{Engine: e.Name(), Image: Image, Cmd: cmd,
				GlobalArgs: e.GlobalArgs(), RunArgs: append(append([]string{}, e.RunArgs()...), c.run...),
				Settle: 500 * time.Millisecond})
			if err != nil {
				t.Fatalf("%s %s: %v", e.Name(), c.name, err)
			}
			t.Logf("%s %-10s predicted %s (%s, %v) | %s stop took %v, exit %d | held %+v, try status %d",
				e.Name(), c.name, rep.Predicted.Summary, rep.Predicted.Signal, rep.Predicted.Grace, e.Name(), rep.Took.Round(10*time.Millisecond), rep.Exit, rep.Held, rep.ExitCode())
			if rep.Exit != c.exit || rep.ExitCode() != c.status || !rep.Held.Known || !rep.Held.V {
				t.Errorf("%s %s: exit %d status %d held %+v (%s); want exit %d status %d, held", e.Name(), c.name,
					rep.Exit, rep.ExitCode(), rep.Held, rep.Why, c.exit, c.status)
			}
			if string(rep.Predicted.Verdict) != c.verdict || rep.Predicted.Signal.String() != c.stopSig || rep.Predicted.Grace != time.Duration(c.graceSec)*time.Second {
				t.Errorf("%s %s: predicted %s %s %v; want %s %s %ds", e.Name(), c.name, rep.Predicted.Verdict, rep.Predicted.Signal, rep.Predicted.Grace, c.verdict, c.stopSig, c.graceSec)
			}
			// As in TestDockerStopBehaviour: an exit code other than 137 that
			// is the one wanted shows no SIGKILL was needed; only then is the
			// clock left out. A stop that waited cannot be under 2 s.
			if took := rep.Took; c.slow != (took >= 2*time.Second) && (c.slow || c.exit == 137 || rep.Exit != c.exit) {
				t.Errorf("%s %s: the stop took %v", e.Name(), c.name, took)
			}
		}
	}
}

// TestTryEngineLeavesNothing: a container whose command cannot start, and
// a try interrupted while it waits, leave no container behind.
func TestTryEngineLeavesNothing(t *testing.T) {
	t.Parallel()
	d := StartDocker(t)
	d.Import(t)
	opts := act.EngineTryOptions{Engine: "docker", Image: Image, GlobalArgs: d.GlobalArgs(), RunArgs: d.RunArgs()}
	bad := opts
	bad.Cmd = []string{"/no/such/command"}
	if _, err := act.TryEngine(bad); err == nil {
		t.Errorf("a command that cannot start: no error")
	}
	slow := opts
	slow.Cmd, slow.Settle = []string{"sleep", "1000"}, 10*time.Second
	sig := make(chan os.Signal, 1)
	slow.Interrupt = sig
	go func() { time.Sleep(2 * time.Second); sig <- syscall.SIGTERM }()
	start := time.Now()
	_, err := act.TryEngine(slow)
	var in *act.TryInterrupted
	if !errors.As(err, &in) || in.Signal != syscall.SIGTERM {
		t.Errorf("interrupted try: %v; want TryInterrupted by SIGTERM", err)
	}
	if took := time.Since(start); took > 8*time.Second {
		t.Errorf("interrupted try took %v; the interrupt should end it", took)
	}
	out, err := d.docker("ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Status}} {{.Command}}", "--filter", "name=sigview-try")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("containers left behind: %q %v", out, err)
	}
}

// TestTryEngineRefusesOthersContainers: a run flag that names an existing
// container (or reaches one) is refused before anything runs, and that
// container is left as it was.
func TestTryEngineRefusesOthersContainers(t *testing.T) {
	t.Parallel()
	d := StartDocker(t)
	prod := d.Run(t, "prod-db", nil, "sleep", "1000")
	for _, flags := range [][]string{{"--name=prod-db"}, {"--name", "prod-db"}, {"--volumes-from", "prod-db"}, {"--pid=container:prod-db"}} {
		_, err := act.TryEngine(act.EngineTryOptions{Engine: "docker", Image: Image, Cmd: []string{"sleep", "1000"},
			GlobalArgs: d.GlobalArgs(), RunArgs: append(d.RunArgs(), flags...)})
		if err == nil || !strings.Contains(err.Error(), "--run-flag") {
			t.Errorf("try with %q: %v; want a refusal naming the run flag", flags, err)
		}
	}
	if in := d.Inspect(t, "prod-db"); in.ID != prod.ID || !in.Running || in.Pid != prod.Pid {
		t.Errorf("prod-db after the refused tries: %+v; want it untouched (%+v)", in, prod)
	}
}
