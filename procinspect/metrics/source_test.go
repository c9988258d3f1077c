package metrics

import (
	"testing"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
)

func TestStopOf(t *testing.T) {
	i := func(v int) *int { return &v }
	needsKill := &procinspect.DocStops{
		Docker:     procinspect.DocStop{Signal: "SIGTERM", GraceSeconds: 10, Verdict: "no", AfterSeconds: i(10), ExitCode: i(137)},
		Kubernetes: procinspect.DocStop{Signal: "SIGTERM", GraceSeconds: 30, Verdict: "no", AfterSeconds: i(30), ExitCode: i(137)},
	}
	ends := &procinspect.DocStops{
		Docker:     procinspect.DocStop{Signal: "SIGTERM", GraceSeconds: 10, Verdict: "yes", AfterSeconds: i(0), ExitCode: i(143)},
		Kubernetes: procinspect.DocStop{Signal: "SIGTERM", GraceSeconds: 30, Verdict: "yes", AfterSeconds: i(0), ExitCode: i(143)},
	}
	for _, c := range []struct {
		name string
		st   *procinspect.DocStops
		ct   *procinspect.DocContainer
		md   engine.Metadata
		by   string
		kill string // "1", "0" or "" (absent)
		secs float64
	}{
		{"no container: docker stop", needsKill, nil, engine.Metadata{}, "docker stop", "1", 10},
		{"pod: kubernetes", needsKill, &procinspect.DocContainer{Runtime: "containerd", PodUID: "u"}, engine.Metadata{}, "kubernetes", "1", 30},
		{"configured stop timeout", needsKill, &procinspect.DocContainer{Runtime: "docker"},
			engine.Metadata{StopSignal: "SIGTERM", StopTimeout: engine.Seconds{Value: 20, Known: true}}, "docker stop", "1", 20},
		{"timeout does not change an at-once stop", ends, &procinspect.DocContainer{Runtime: "docker"},
			engine.Metadata{StopTimeout: engine.Seconds{Value: 20, Known: true}}, "docker stop", "0", 0},
		{"another stop signal is unknown", needsKill, &procinspect.DocContainer{Runtime: "docker"},
			engine.Metadata{StopSignal: "SIGINT"}, "docker stop", "", -1},
	} {
		got := stopOf(c.st, c.ct, c.md)
		kill := ""
		if got.NeedsSIGKILL != nil {
			kill = map[bool]string{true: "1", false: "0"}[*got.NeedsSIGKILL]
		}
		secs := -1.0
		if got.Seconds != nil {
			secs = *got.Seconds
		}
		if got.By != c.by || kill != c.kill || secs != c.secs {
			t.Errorf("%s: stopOf = by %q, needs SIGKILL %q, %v s; want %q, %q, %v s", c.name, got.By, kill, secs, c.by, c.kill, c.secs)
		}
	}
}
