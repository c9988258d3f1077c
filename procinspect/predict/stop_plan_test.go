package predict

import (
	"strings"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
)

// TestStopNegativeGrace: docker's StopTimeout -1 waits forever and never
// sends SIGKILL; the stop must not claim SIGKILL at once.
func TestStopNegativeGrace(t *testing.T) {
	p := nsInitProc("sleep", 0, 0, pausedThread(0)) // default action for SIGTERM: dropped at an init
	predict := func(s Signal) Prediction { return Predict(p, s, Host, nil) }
	if pr := predict(procinspect.SIGTERM); pr.Verdict != No {
		t.Fatalf("fixture init: SIGTERM %s; want no", pr.Verdict)
	}
	st := stopFor(Plan{Key: "docker", By: "docker stop", Signal: "SIGTERM", Grace: -1}, predict)
	if st.After.Known || st.Exit.Known || strings.Contains(st.Summary, "SIGKILL at once") || !strings.Contains(st.Summary, "never sends SIGKILL") {
		t.Errorf("grace -1: after %+v exit %+v, %q", st.After, st.Exit, st.Summary)
	}
	st0 := stopFor(Plan{Key: "docker", By: "docker stop", Signal: "SIGTERM", Grace: 0}, predict)
	if !st0.After.Known || !st0.Exit.Known || st0.Exit.V != 137 || st0.Grace != 0*time.Second {
		t.Errorf("grace 0: after %+v exit %+v", st0.After, st0.Exit)
	}
}

// TestKubernetesGraceNotDockers: under cri-dockerd a container's docker
// StopTimeout is not the pod's grace period.
func TestKubernetesGraceNotDockers(t *testing.T) {
	m := engine.Metadata{Runtime: "docker", Pod: engine.Pod{Name: "web", Namespace: "shop"},
		StopTimeout: engine.Seconds{Value: 3, Known: true, From: "Config.StopTimeout in config.v2.json"}}
	pl := plansOf(m)
	if len(pl) != 1 || pl[0].Key != "kubernetes" || pl[0].Grace != KubernetesGrace {
		t.Errorf("plans %+v; want Kubernetes with its default grace", pl)
	}
	m.StopTimeout = engine.Seconds{Value: 45, Known: true, From: "annotation.io.kubernetes.pod.terminationGracePeriod in config.v2.json"}
	if pl := plansOf(m); pl[0].Grace != 45 {
		t.Errorf("plans %+v; want the pod's 45 s", pl)
	}
}

// TestStopOnlyForTheContainersInit: a namespace nested inside a container
// shares its cgroup, but the engine's stop signals the container's init
// (the engine's recorded PID), not the nested one.
func TestStopOnlyForTheContainersInit(t *testing.T) {
	p := nsInitProc("sleep", 0, 0, pausedThread(0))
	p.InitialNS = procinspect.KnownFlag(false)
	p.Engine = &engine.Metadata{Runtime: "docker", Pid: p.PID}
	if st := StopsFor(p, nil); len(st) != 1 || st[0].Key != "docker" {
		t.Errorf("the container's own init: stops %+v; want docker's", st)
	}
	p.Engine.Pid = p.PID + 1
	if st := StopsFor(p, nil); st != nil {
		t.Errorf("a nested init (the engine's init is PID %d): stops %+v; want none", p.Engine.Pid, st)
	}
}

// TestAppliedStop: the engine's configured stop when its files were read;
// else Kubernetes' default for a pod's container and docker stop's for
// anything else; none for a nested namespace's init.
func TestAppliedStop(t *testing.T) {
	for _, c := range []struct {
		name      string
		container *engine.Container
		meta      *engine.Metadata
		want      string // the Key, "" for none
	}{
		{"no container: docker stop's default", nil, nil, "docker"},
		{"lxc: docker stop's default", &engine.Container{Runtime: "lxc", Name: "c1"}, nil, "docker"},
		{"a pod's container, engine unread: Kubernetes' default", &engine.Container{Runtime: "containerd", PodUID: "u"}, nil, "kubernetes"},
		{"cri-o, engine unread: Kubernetes' default", &engine.Container{Runtime: "cri-o"}, nil, "kubernetes"},
		{"docker's configured stop", &engine.Container{Runtime: "docker"}, &engine.Metadata{Runtime: "docker"}, "docker"},
		{"a pod's docker container: the kubelet's", &engine.Container{Runtime: "docker"}, &engine.Metadata{Runtime: "docker", Pod: engine.Pod{UID: "u"}}, "kubernetes"},
		{"nested in a container: none", &engine.Container{Runtime: "docker"}, &engine.Metadata{Runtime: "docker", Pid: 99999}, ""},
	} {
		p := nsInitProc("sleep", 0, 0, pausedThread(0))
		p.InitialNS = procinspect.KnownFlag(false)
		p.Container, p.Engine = c.container, c.meta
		st, ok := assess(p, nil).AppliedStop()
		if got := map[bool]string{true: st.Key}[ok]; got != c.want {
			t.Errorf("%s: AppliedStop = %q (%v); want %q", c.name, got, ok, c.want)
		}
	}
	host := nsInitProc("systemd", 0, 0, pausedThread(0))
	host.InitialNS = procinspect.KnownFlag(true)
	if st, ok := assess(host, nil).AppliedStop(); ok {
		t.Errorf("the host's init: AppliedStop = %+v; want none", st)
	}
}

// TestHintNamesTheStopSignal: the hint is about the container's own stop
// signal, never about a SIGTERM it does not send.
func TestHintNamesTheStopSignal(t *testing.T) {
	p := nsInitProc("sleep", 0, 0, pausedThread(0))
	p.InitialNS = procinspect.KnownFlag(false)
	p.Engine = &engine.Metadata{Runtime: "docker", Pid: p.PID, StopSignal: "SIGINT", StopSignalFrom: "Config.StopSignal"}
	h := FixHint(p, nil)
	if !strings.Contains(h, "SIGINT, the container's stop signal") || strings.Contains(h, "SIGTERM") {
		t.Errorf("stop signal SIGINT, dropped: hint %q; want one about SIGINT, none about SIGTERM", h)
	}
	p.Engine.StopSignal = "SIGTERM"
	if h := FixHint(p, nil); !strings.Contains(h, "no handler for SIGTERM") {
		t.Errorf("stop signal SIGTERM, dropped: hint %q", h)
	}
}

// TestStopTakes: busybox init ends about 3 s after SIGTERM (2 s with
// CAP_SYS_BOOT): within a longer grace period the stop takes that long; a
// shorter one ends in the runtime's SIGKILL (137); an equal one is a race.
func TestStopTakes(t *testing.T) {
	set := procinspect.SigSet(0)
	for _, s := range []procinspect.Signal{1, 2, 3, 10, 12, 15, 17, 30} {
		set = set.With(s)
	}
	p := nsInitProc("init", 0, 0, sigwaitThread(set))
	p.Deep.Exe, p.Cmdline = "/bin/busybox", []string{"init"}
	p.BusyboxInit = &procinspect.BusyboxInit{Actions: map[string][]string{"respawn": {"/bin/sleep 1000"}}, Boot: procinspect.KnownFlag(false), BootWhy: "no CAP_SYS_BOOT"}
	predict := func(s Signal) Prediction { return Predict(p, s, Host, nil) }
	if pr := predict(procinspect.SIGTERM); pr.Verdict != Yes || !pr.Takes.Known || pr.Takes.V != 3 {
		t.Fatalf("busybox init, SIGTERM: %s, takes %+v (%s); want yes, 3 s", pr.Verdict, pr.Takes, pr.Reason)
	}
	for _, c := range []struct {
		grace   time.Duration
		verdict Verdict
		after   int // -1: unknown
		exit    int // -1: unknown
	}{
		{10 * time.Second, Yes, 3, 0},
		{2 * time.Second, No, 2, 137},
		{3 * time.Second, Depends, -1, -1},
	} {
		st := stopFor(Plan{Key: "docker", By: "docker stop", Signal: "SIGTERM", Grace: int64(c.grace / time.Second)}, predict)
		after, ok := st.AfterSeconds()
		if !ok {
			after = -1
		}
		exit := -1
		if st.Exit.Known {
			exit = st.Exit.V
		}
		if st.Verdict != c.verdict || after != c.after || exit != c.exit {
			t.Errorf("grace %v: %s after %d exit %d (%s); want %s after %d exit %d", c.grace, st.Verdict, after, exit, st.Summary, c.verdict, c.after, c.exit)
		}
	}
	// A program that ends at once takes 0.
	sleep := nsInitProc("sleep", 0, 0, pausedThread(0))
	st := stopFor(Plan{Key: "docker", By: "docker stop", Signal: "SIGKILL", Grace: 10}, func(s Signal) Prediction { return Predict(sleep, s, Host, nil) })
	if after, ok := st.AfterSeconds(); !ok || after != 0 {
		t.Errorf("SIGKILL: after %d (%v); want 0", after, ok)
	}
}
