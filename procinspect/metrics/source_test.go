package metrics

import (
	"testing"

	"github.com/sigview/sigview/procinspect/document"
)

func TestStopOf(t *testing.T) {
	i := func(v int) *int { return &v }
	docker := document.DocStop{By: "docker stop", Signal: "SIGTERM", GraceSeconds: 10, Verdict: "no", AfterSeconds: i(10), ExitCode: i(137)}
	kube := document.DocStop{By: "Kubernetes", Signal: "SIGTERM", GraceSeconds: 30, Verdict: "no", AfterSeconds: i(30), ExitCode: i(137)}
	configured := document.DocStop{By: "docker stop", Signal: "SIGINT", GraceSeconds: 20, Verdict: "yes", AfterSeconds: i(0), ExitCode: i(130)}
	unknown := document.DocStop{By: "podman stop", Signal: "SIGTERM", GraceSeconds: 10, Verdict: "depends"}
	defaults := document.DocStops{"docker": docker, "kubernetes": kube}
	for _, c := range []struct {
		name  string
		stops document.DocStops
		ct    *document.DocContainer
		by    string
		kill  string // "1", "0" or "" (absent)
		secs  float64
	}{
		{"no container: docker stop's default", defaults, nil, "docker stop", "1", 10},
		{"a pod's container: Kubernetes' default", defaults, &document.DocContainer{Runtime: "containerd", PodUID: "u"}, "Kubernetes", "1", 30},
		{"the engine's configured stop", document.DocStops{"docker": configured}, &document.DocContainer{Runtime: "docker"}, "docker stop", "0", 0},
		{"the program decides: absent", document.DocStops{"podman": unknown}, &document.DocContainer{Runtime: "podman"}, "podman stop", "", -1},
	} {
		got := stopOf(c.stops, c.ct)
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
