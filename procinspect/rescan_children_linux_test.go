package procinspect_test

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestRescanRereadsShellChild: a shell init's children are linked, not read
// in depth, but predictions read their status (the trap's child's SigIgn,
// the stop hint's child's SigCgt). A child that installs a SIGTERM handler
// after the first scan must be seen by a rescan built on it as by a full
// scan: the same SigCgt, the same predictions and stop plans.
func TestRescanRereadsShellChild(t *testing.T) {
	nstest.NeedNamespaces(t)
	py := `import signal, sys
sys.stdin.readline()
signal.signal(signal.SIGTERM, lambda *a: None)
print("handler", flush=True)
while True:
    signal.pause()`
	cmd := exec.Command("sh", "-c", `/usr/bin/python3 -c "$1"; echo done`, "sh", py)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // the init: through Go's pidfd; its namespace dies with it
		cmd.Wait()
	})
	pid := cmd.Process.Pid
	sc := procinspect.Scanner{Root: "/proc"}
	// The first reading: the init with its python3 child, no handler yet.
	var first *procinspect.Snapshot
	child := func(s *procinspect.Snapshot) *procinspect.Process {
		if p := s.Process(pid); p != nil {
			for _, c := range p.Children {
				if c.Name() == "python3" {
					return c
				}
			}
		}
		return nil
	}
	for try := 0; ; try++ {
		s, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		// python3 is forked by sh, then execs: wait for its own name, and
		// for it to have read its start-up (SIGINT handled, as python does).
		if c := child(s); c != nil && c.Status.SigCgt.Has(procinspect.SIGINT) {
			first = s
			break
		}
		if try > 500 {
			t.Fatal("no python3 child of the shell init within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c := child(first); c.Status.SigCgt.Has(procinspect.SIGTERM) {
		t.Fatalf("python3 handles SIGTERM before it was told to: %v", c.Status.SigCgt)
	}
	if _, err := in.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	if l, err := bufio.NewReader(out).ReadString('\n'); err != nil || l != "handler\n" {
		t.Fatalf("python3 said %q, %v", l, err)
	}
	inc := sc
	inc.Prev = first
	got, err := inc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	want, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if c := child(want); c == nil || !c.Status.SigCgt.Has(procinspect.SIGTERM) {
		t.Fatalf("a full scan does not see python3's SIGTERM handler: %+v", c)
	}
	if c := child(got); c == nil {
		t.Errorf("the rescan has no python3 child of the init")
	} else if c.Status.SigCgt != child(want).Status.SigCgt {
		t.Errorf("the rescan's python3 SigCgt %v; a full scan's %v", c.Status.SigCgt, child(want).Status.SigCgt)
	}
	describe := func(s *procinspect.Snapshot) string {
		p := s.Process(pid)
		var b strings.Builder
		for _, from := range predict.Senders {
			for _, sig := range []procinspect.Signal{procinspect.SIGTERM, procinspect.SIGINT} {
				pr := predict.Predict(p, sig, from, nil)
				b.WriteString(string(from) + " " + sig.String() + ": " + string(pr.Verdict) + " " + string(pr.Outcome) + ": " + pr.Reason + "\n")
			}
		}
		for _, st := range predict.StopsFor(p, nil) {
			fmt.Fprintf(&b, "%+v\n", st)
		}
		b.WriteString("hint: " + predict.FixHint(p, nil) + "\n")
		return b.String()
	}
	if g, w := describe(got), describe(want); g != w {
		t.Errorf("after python3 installed a SIGTERM handler, the rescan says\n%s\na full scan says\n%s", g, w)
	}
}
