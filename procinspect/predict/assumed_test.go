package predict

import (
	"strings"
	"testing"

	"github.com/sigview/sigview/procinspect/engine"
)

// TestPlansAssumed: a stop value is assumed exactly when it was not read
// from the container's own configuration.
func TestPlansAssumed(t *testing.T) {
	read := []string{"/var/lib/docker/containers/x/config.v2.json"}
	for _, tt := range []struct {
		name                 string
		m                    engine.Metadata
		sigAssumed, gAssumed bool
		fromHas              string
	}{
		{"docker, both read", engine.Metadata{Runtime: "docker", StopSignal: "SIGINT", StopSignalFrom: "Config.StopSignal in …",
			StopTimeout: engine.Seconds{Value: 3, Known: true, From: "Config.StopTimeout in …"}, Files: read}, false, false, "SIGINT: Config"},
		{"docker, timeout absent from a config read", engine.Metadata{Runtime: "docker", StopSignal: "SIGTERM", StopSignalFrom: "docker default (Config.StopSignal empty in …)",
			StopTimeout: engine.Seconds{From: "Config.StopTimeout absent in …: docker default (10 s)", Absent: true}, Files: read}, false, false, "10 s: Config.StopTimeout absent"},
		{"docker, no file visible", engine.Metadata{Runtime: "docker"}, true, true,
			"SIGTERM: assumed: docker's default; no engine file describes this namespace; 10 s: assumed: docker stop's default (10 s); no engine file describes this namespace"},
		{"podman, timeout not in its database", engine.Metadata{Runtime: "podman", StopSignal: "SIGTERM", StopSignalFrom: "no … annotation in …", Files: read}, false, true,
			"10 s: assumed: podman stop's default (10 s); the container's own timeout was not read"},
		{"containerd", engine.Metadata{Runtime: "containerd", Files: read}, true, true, "SIGTERM: assumed: containerd keeps"},
		{"cri-dockerd: docker's timeout is not the pod's", engine.Metadata{Runtime: "docker", StopSignal: "SIGTERM", StopSignalFrom: "…",
			StopTimeout: engine.Seconds{Value: 5, Known: true, From: "Config.StopTimeout in …"}, Pod: engine.Pod{Name: "web-0"}, Files: read}, false, true, "30 s: assumed: Kubernetes' default"},
		{"a pod's grace period read", engine.Metadata{Runtime: "cri-o", StopSignal: "SIGTERM", StopSignalFrom: "…",
			StopTimeout: engine.Seconds{Value: 45, Known: true, From: "annotation io.kubernetes.pod.terminationGracePeriod in …"}, Pod: engine.Pod{Name: "web-0"}, Files: read}, false, false, "45 s: annotation"},
	} {
		plans := plansOf(tt.m)
		if len(plans) != 1 {
			t.Fatalf("%s: %d plans", tt.name, len(plans))
		}
		st := stopFor(plans[0], func(Signal) Prediction { return Prediction{Verdict: No} })
		if st.SignalAssumed != tt.sigAssumed || st.GraceAssumed != tt.gAssumed || !strings.Contains(st.From(), tt.fromHas) {
			t.Errorf("%s: signal assumed %v, grace assumed %v, from %q; want %v, %v, containing %q", tt.name,
				st.SignalAssumed, st.GraceAssumed, st.From(), tt.sigAssumed, tt.gAssumed, tt.fromHas)
		}
	}
	for _, st := range DefaultPlans("no engine file describes this namespace") {
		if !st.SignalAssumed || !st.GraceAssumed {
			t.Errorf("default plan %s not assumed", st.Key)
		}
	}
}

// TestStopNeedsSIGKILL: only a stop signal that does not end a live init
// needs SIGKILL; an init that has already exited (gone) is not counted.
func TestStopNeedsSIGKILL(t *testing.T) {
	for _, tt := range []struct {
		st          Stop
		known, want bool
	}{
		{Stop{Verdict: No, Outcome: Dropped}, true, true},
		{Stop{Verdict: No, Outcome: Ignored}, true, true},
		{Stop{Verdict: Yes, Outcome: Terminates}, true, false},
		{Stop{Verdict: Depends, Outcome: Handled}, false, false},
		{Stop{Verdict: VerdictUnknown}, false, false},
		{Stop{Verdict: No, Outcome: Gone}, false, false},
	} {
		if got := tt.st.NeedsSIGKILL(); got.Known != tt.known || got.V != tt.want {
			t.Errorf("%s/%s: NeedsSIGKILL %+v; want known %v, %v", tt.st.Verdict, tt.st.Outcome, got, tt.known, tt.want)
		}
	}
}
