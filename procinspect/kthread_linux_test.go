package procinspect_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestKernelThreadKthreadd scans the real /proc, finds kthreadd (PID 2),
// checks that SIGTERM and SIGKILL from the host are predicted ignored, then
// really sends both through Scanner.Send (root to a kernel thread: harmless,
// the kernel discards them) and checks PID 2 is the same process after.
func TestKernelThreadKthreadd(t *testing.T) {
	nstest.NeedNamespaces(t) // root: the sends need CAP_KILL
	sc := procinspect.Scanner{Root: "/proc", Deep: []int{2}}
	snap, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p := snap.Process(2)
	if p == nil || p.Name() != "kthreadd" || !p.InitialNS.V {
		nstest.Skip(t, "kthread-host-ns", "PID 2 is not kthreadd: this is not the host's PID namespace")
	}
	if p.Kthread != procinspect.KnownFlag(true) {
		t.Errorf("kthreadd: Kthread = %+v, want known true", p.Kthread)
	}
	if p.StartTime == 0 {
		t.Fatal("kthreadd: start time not read, so it cannot be sent to safely")
	}
	for _, sig := range []procinspect.Signal{procinspect.SIGKILL, procinspect.SIGTERM} {
		pr := predict.Predict(p, sig, predict.Host, nil)
		if pr.Verdict != predict.No || pr.Outcome != predict.Ignored || !strings.Contains(pr.Reason, "kernel thread") {
			t.Errorf("kthreadd %s from host: predicted %s/%s (%s); want no/ignored", sig, pr.Verdict, pr.Outcome, pr.Reason)
		}
		rep, err := act.Send(sc, act.SendRequest{PID: 2, Signal: sig, From: predict.Host,
			Watch: 300 * time.Millisecond, StartTime: p.StartTime})
		if err != nil {
			t.Fatalf("send %s to kthreadd: %v", sig, err)
		}
		if rep.Ended || rep.Held != procinspect.KnownFlag(true) {
			t.Errorf("kthreadd %s from host: %s", sig, rep.Summary)
		}
		t.Logf("matrix | kthreadd | %s from host | predicted %s/%s | kernel: %s", sig, rep.Prediction.Verdict, rep.Prediction.Outcome, rep.Summary)
	}
	if st, err := procinspect.StartTime("/proc", 2); err != nil || st != p.StartTime {
		t.Errorf("after the sends PID 2 has start time %d (%v), want %d", st, err, p.StartTime)
	}
	if err := syscall.Kill(2, 0); err != nil {
		t.Errorf("kill(2, 0) after the sends: %v", err)
	}
}
