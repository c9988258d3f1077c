package enginetest

import (
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
			if took := rep.Took; c.slow != (took >= 2*time.Second) {
				t.Errorf("%s %s: the stop took %v", e.Name(), c.name, took)
			}
		}
	}
}
