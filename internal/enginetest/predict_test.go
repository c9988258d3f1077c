package enginetest

import (
	"encoding/json"
	"strconv"
	"sync"
	"testing"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/probe"
)

// The stop tests compare each real stop with sigview's prediction for the
// container, read through the --json document.
func init() { beforeStop = checkPrediction }

var (
	kernelOnce sync.Once
	kernel     *procinspect.Kernel
)

// predictedStop scans the host's /proc the way `sigview --json` does and
// returns the stop predicted for the namespace whose init is pid.
func predictedStop(t *testing.T, eng string, pid int) (document.DocStop, document.DocContainer) {
	t.Helper()
	kernelOnce.Do(func() { kernel = probe.Measure() })
	snap, err := procinspect.Scanner{Root: "/proc", Kernel: kernel}.Scan()
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	b, err := json.Marshal(document.Report(snap, predict.Assess(snap, snap.Kernel)))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Namespaces []struct {
			Container *document.DocContainer `json:"container"`
			Init      *struct {
				PID  int                         `json:"pid"`
				Stop map[string]document.DocStop `json:"stop"`
			} `json:"init"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, ns := range doc.Namespaces {
		if ns.Init == nil || ns.Init.PID != pid {
			continue
		}
		if ns.Container == nil {
			t.Fatalf("namespace of pid %d has no container in the document", pid)
		}
		st, ok := ns.Init.Stop[eng]
		if !ok {
			t.Fatalf("no stop.%s for pid %d: %v", eng, pid, ns.Init.Stop)
		}
		return st, *ns.Container
	}
	t.Fatalf("no namespace with init pid %d in the document", pid)
	return document.DocStop{}, document.DocContainer{}
}

// checkPrediction asserts that sigview's prediction for the row's
// container is what the row says the engine does: the configured signal
// and grace period, a stop at once or after the full grace period, and
// the exit code when sigview claims to know it.
func checkPrediction(t *testing.T, eng string, r stopRow, pid int) {
	st, c := predictedStop(t, eng, pid)
	t.Logf("%s %-15s predicted: %s, grace %d s, %s, after %s, exit %s; container %q image %q; from %s / %s",
		eng, r.name, st.Signal, st.GraceSeconds, st.Verdict, intText(st.AfterSeconds), intText(st.ExitCode),
		c.Name, c.Image, st.SignalFrom, st.GraceFrom)
	wantSig := "SIGTERM"
	for i, a := range r.args {
		if a == "--stop-signal" && i+1 < len(r.args) {
			wantSig = r.args[i+1]
		}
	}
	if st.Signal != wantSig {
		t.Errorf("predicted stop signal %s, the container's is %s", st.Signal, wantSig)
	}
	wantGrace := map[string]int{"docker": predict.DockerGrace, "podman": predict.PodmanGrace}[eng]
	if r.t < 0 {
		wantGrace = stopTimeout // the row's --stop-timeout
	}
	if st.GraceSeconds != wantGrace {
		t.Errorf("predicted grace %d s, the container's is %d s", st.GraceSeconds, wantGrace)
	}
	if st.Verdict != r.verdict {
		t.Errorf("predicted %s (%s); want %s", st.Verdict, st.Summary, r.verdict)
	}
	switch {
	case st.Verdict == "yes" && (!r.atOnce || st.AfterSeconds == nil || *st.AfterSeconds != 0):
		t.Errorf("predicted yes after %s; the engine stopped it at once: %v", intText(st.AfterSeconds), r.atOnce)
	case st.Verdict == "no" && (r.atOnce || st.AfterSeconds == nil || *st.AfterSeconds != st.GraceSeconds):
		t.Errorf("predicted no after %s; the engine waited the full grace period: %v", intText(st.AfterSeconds), !r.atOnce)
	case st.Verdict == "depends" && st.AfterSeconds != nil:
		t.Errorf("predicted depends, yet after %s", intText(st.AfterSeconds))
	}
	if st.ExitCode != nil && *st.ExitCode != r.exitCode {
		t.Errorf("predicted exit code %d, the engine reports %d", *st.ExitCode, r.exitCode)
	}
	if st.ExitCode == nil && st.Verdict != "depends" {
		t.Errorf("predicted %s without an exit code; the engine reports %d", st.Verdict, r.exitCode)
	}
}

func intText(p *int) string {
	if p == nil {
		return "unknown"
	}
	return strconv.Itoa(*p)
}
