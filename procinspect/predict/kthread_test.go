package predict

import (
	"strings"
	"testing"

	"github.com/sigview/sigview/procinspect"
)

// TestKthreadFixture: a kernel thread, known by PF_KTHREAD in stat or by
// the Kthread line, ignores what user space sends, SIGKILL included; an init
// with neither gets the generic rules.
func TestKthreadFixture(t *testing.T) {
	snap, err := procinspect.Scanner{Root: "../testdata/kthread", SelfNS: "../testdata/kthread/1/ns/pid", Deep: []int{2}}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{2, 3} {
		for _, sig := range []Signal{procinspect.SIGTERM, procinspect.SIGKILL} {
			pr := Predict(snap.Process(pid), sig, Host, nil)
			if pr.Verdict != No || pr.Outcome != Ignored || !strings.Contains(pr.Reason, "kernel thread") {
				t.Errorf("PID %d %s from host: %s/%s (%s); want no/ignored for a kernel thread", pid, sig, pr.Verdict, pr.Outcome, pr.Reason)
			}
		}
	}
	// The init is not a kernel thread as far as anything read shows: the
	// generic rules apply (the host's init never gets SIGKILL).
	if pr := Predict(snap.Process(1), procinspect.SIGKILL, Host, nil); strings.Contains(pr.Reason, "kernel thread") {
		t.Errorf("PID 1 SIGKILL from host: %q; want no kernel-thread rule", pr.Reason)
	}
}
