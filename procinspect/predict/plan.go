package predict

// The stop policy of each container engine: which signal, how long a grace,
// from the container's own configuration (procinspect/engine) or the
// engine's defaults.

import (
	"fmt"
	"strings"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
)

// Plan is how one engine stops a container: the stop signal it sends from
// the host, how long it waits before SIGKILL, and where each came from.
type Plan struct {
	// Key names the stopper in the JSON document: "docker", "podman",
	// "containerd", "kubernetes".
	Key string
	// By is the command or component, for people: "docker stop".
	By string
	// Signal is the stop signal's name ("SIGTERM").
	Signal     string
	SignalFrom string
	// Grace is the time before SIGKILL, in whole seconds; negative means
	// the engine waits for the container to exit and never sends SIGKILL
	// (docker's StopTimeout -1).
	Grace     int64
	GraceFrom string
	// SignalAssumed and GraceAssumed are set when the value was not read
	// from the container's own configuration: an engine's default applied
	// to a container whose files were not read (or do not keep it).
	SignalAssumed, GraceAssumed bool
}

// Default grace periods of the engines' stop commands.
const (
	DockerGrace     = 10 // docker stop
	PodmanGrace     = 10 // podman stop (containers.conf stop_timeout)
	NerdctlGrace    = 10 // nerdctl stop
	KubernetesGrace = 30 // terminationGracePeriodSeconds
)

// plansOf says how the container's engine will stop it, from its metadata.
// A container in a Kubernetes pod is stopped by the kubelet, whatever engine
// runs it (stoppedByKubernetes); the others by their engine's stop command. Fields the files did
// not give are the engine's defaults, and the From strings say so.
func plansOf(m engine.Metadata) []Plan {
	// No file read at all: sigview sees none of the engine's files (it
	// runs in a container, or --proc has no state directories beside it).
	why := "the container's own %s was not read"
	if len(m.Files) == 0 {
		why = "no engine file describes this namespace"
	}
	sig, sigFrom, sigAssumed := m.StopSignal, m.StopSignalFrom, false
	if sig == "" {
		sig, sigAssumed = "SIGTERM", true
		if sigFrom == "" {
			sigFrom = m.Runtime + "'s default; " + strings.ReplaceAll(why, "%s", "stop signal")
		}
	}
	grace := func(def int64, what string) (int64, string, bool) {
		if m.StopTimeout.Known {
			return m.StopTimeout.Value, m.StopTimeout.From, false
		}
		from := m.StopTimeout.From
		if from == "" {
			from = fmt.Sprintf("%s's default (%d s); %s", what, def, strings.ReplaceAll(why, "%s", "timeout"))
		}
		return def, from, !m.StopTimeout.Absent
	}
	if stoppedByKubernetes(m.Runtime, m.Pod) {
		p := Plan{Key: "kubernetes", By: "Kubernetes", Signal: sig, SignalFrom: sigFrom, SignalAssumed: sigAssumed}
		if m.Runtime == "kubernetes" {
			p.SignalFrom = "the image's STOPSIGNAL is not on this node's disk; SIGTERM assumed"
			p.SignalAssumed = true
		}
		p.Grace, p.GraceFrom, p.GraceAssumed = grace(KubernetesGrace, "Kubernetes terminationGracePeriodSeconds")
		if m.StopTimeout.Known && !strings.Contains(m.StopTimeout.From, "terminationGracePeriod") || m.StopTimeout.Absent {
			// A docker StopTimeout under cri-dockerd: the kubelet passes
			// the pod's grace period instead.
			p.Grace, p.GraceAssumed = KubernetesGrace, true
			p.GraceFrom = fmt.Sprintf("Kubernetes' default terminationGracePeriodSeconds (%d s): the files name no pod grace period, and the kubelet does not use the container's own stop timeout", KubernetesGrace)
		}
		return []Plan{p}
	}
	switch m.Runtime {
	case "docker":
		p := Plan{Key: "docker", By: "docker stop", Signal: sig, SignalFrom: sigFrom, SignalAssumed: sigAssumed}
		p.Grace, p.GraceFrom, p.GraceAssumed = grace(DockerGrace, "docker stop")
		return []Plan{p}
	case "podman":
		p := Plan{Key: "podman", By: "podman stop", Signal: sig, SignalFrom: sigFrom, SignalAssumed: sigAssumed}
		p.Grace, p.GraceFrom, p.GraceAssumed = grace(PodmanGrace, "podman stop")
		return []Plan{p}
	case "containerd":
		p := Plan{Key: "containerd", By: "nerdctl stop", Signal: "SIGTERM", SignalAssumed: true,
			SignalFrom: "containerd keeps the stop signal in its database; SIGTERM assumed"}
		p.Grace, p.GraceFrom, p.GraceAssumed = grace(NerdctlGrace, "nerdctl stop")
		return []Plan{p}
	}
	return nil
}

// DefaultPlans are the stops sigview describes for a namespace whose engine
// it does not know: docker stop's and Kubernetes' defaults.
func DefaultPlans(why string) []Plan {
	return []Plan{
		{Key: "docker", By: "docker stop", Signal: "SIGTERM", SignalFrom: "docker's default; " + why,
			Grace: DockerGrace, GraceFrom: "docker stop's default; " + why, SignalAssumed: true, GraceAssumed: true},
		{Key: "kubernetes", By: "Kubernetes", Signal: "SIGTERM", SignalFrom: "Kubernetes' default; " + why,
			Grace: KubernetesGrace, GraceFrom: "terminationGracePeriodSeconds' default; " + why, SignalAssumed: true, GraceAssumed: true},
	}
}

// stoppedByKubernetes reports whether the kubelet, not the engine's own stop
// command, stops a container run by runtime in pod: it is in a Kubernetes
// pod (its name or UID is known), or its runtime is cri-o, which only
// Kubernetes drives, or "kubernetes" (the kubelet's cgroup layout, engine
// unknown). This is the one place that rule is written.
func stoppedByKubernetes(runtime string, pod engine.Pod) bool {
	return pod.Name != "" || pod.UID != "" || runtime == "kubernetes" || runtime == "cri-o"
}

// AppliedStop returns the stop that applies to the assessed init, one of
// Stops; false when Stops is empty (the host's init, a process that is no
// namespace's init, a namespace nested inside a container).
//
// With the engine's configuration of the container, Stops holds that one
// stop. Without it, Stops holds the defaults of docker stop and Kubernetes
// (DefaultPlans), and the process's container decides: Kubernetes' applies
// when its cgroup or its engine's files place it in a pod
// (stoppedByKubernetes), docker stop's to anything else, a namespace outside
// any container included (it is stopped as docker stop and `sigview try`
// would stop it).
func (a *Assessment) AppliedStop() (Stop, bool) {
	switch len(a.Stops) {
	case 0:
		return Stop{}, false
	case 1:
		return a.Stops[0], true
	}
	key := "docker"
	if c := a.Process.Container; c != nil {
		m := a.Process.Engine
		if stoppedByKubernetes(c.Runtime, engine.Pod{UID: c.PodUID}) || m != nil && stoppedByKubernetes(m.Runtime, m.Pod) {
			key = "kubernetes"
		}
	}
	for _, st := range a.Stops {
		if st.Key == key {
			return st, true
		}
	}
	return Stop{}, false
}

// NeedsSIGKILL reports whether the stop will need SIGKILL: known true when
// its signal does not end the init (verdict no), known false when it does
// (yes); unknown when the program decides (depends), a fact is missing, or
// the init has already exited (gone: it waits to be reaped, and no signal
// changes that).
func (st Stop) NeedsSIGKILL() procinspect.Flag {
	if st.Outcome == Gone {
		return procinspect.Flag{}
	}
	switch st.Verdict {
	case Yes:
		return procinspect.KnownFlag(false)
	case No:
		return procinspect.KnownFlag(true)
	}
	return procinspect.Flag{}
}

// NeedsSIGKILL is the applied stop's (AppliedStop) NeedsSIGKILL; unknown
// when no stop applies (the host's init, a namespace nested in a
// container, a process that is no init).
func (a *Assessment) NeedsSIGKILL() procinspect.Flag {
	if st, ok := a.AppliedStop(); ok {
		return st.NeedsSIGKILL()
	}
	return procinspect.Flag{}
}
