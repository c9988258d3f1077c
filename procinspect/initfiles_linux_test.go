package procinspect_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestInitFilesOnlyForInits: a forwarder's environment and s6-svscan's
// scan directory are read for a namespace init only. The same dumb-init
// with DUMB_INIT_SETSID=0 is read as PID 1 of a namespace (the variable
// counts) and as an ordinary process (its environment is not read, and the
// options say the variable is unknown and why); an s6-svscan that is not an
// init gets its scan directory left alone.
func TestInitFilesOnlyForInits(t *testing.T) {
	nstest.NeedNamespaces(t)
	sc := procinspect.Scanner{Root: "/proc"}

	in := start(t, shExec("env DUMB_INIT_SETSID=0 dumb-init sleep 1000")(binaries{}), false)
	in.settleKids(1)
	p, err := sc.ReadOne(in.target)
	if err != nil {
		t.Fatal(err)
	}
	if p.Env["DUMB_INIT_SETSID"] != "0" || p.EnvErr != "" {
		t.Errorf("dumb-init as a namespace init: Env %v (%q), want DUMB_INIT_SETSID=0 read", p.Env, p.EnvErr)
	}
	if o := p.InitOptions(); o == nil || o.GroupBy != "DUMB_INIT_SETSID=0" {
		t.Errorf("dumb-init as a namespace init: options %+v, want DUMB_INIT_SETSID=0 to count", o)
	}

	pid := startPlain(t, "dumb-init", "env", "DUMB_INIT_SETSID=0", "dumb-init", "sleep", "1000")
	p, err = sc.ReadOne(pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Env != nil || !strings.Contains(p.EnvErr, "not a namespace init") {
		t.Errorf("dumb-init that is no init: Env %v (%q), want its environment not read", p.Env, p.EnvErr)
	}
	o := p.InitOptions()
	if o == nil || !strings.Contains(o.EnvUnknown, "DUMB_INIT_SETSID unknown: not read") {
		t.Errorf("dumb-init that is no init: options %+v, want DUMB_INIT_SETSID unknown and why", o)
	}

	d := t.TempDir()
	if err := os.MkdirAll(filepath.Join(d, ".s6-svscan"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, ".s6-svscan", "SIGHUP"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	pid = startPlain(t, "s6-svscan", "s6-svscan", d)
	p, err = sc.ReadOne(pid)
	if err != nil {
		t.Fatal(err)
	}
	if f := p.S6.File("SIGHUP"); !strings.Contains(f, "not a namespace init") {
		t.Errorf("s6-svscan that is no init: .s6-svscan/SIGHUP %q, want it not looked at", f)
	}
}

// startPlain runs argv as an ordinary process (no namespace of its own)
// and waits until it has become comm. It is ended with SIGTERM, which both
// programs act on (dumb-init forwards it to its child, which dies of it),
// and SIGKILL if that is not enough.
func startPlain(t *testing.T, comm string, argv ...string) int {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(pid, syscall.SIGKILL)
			<-done
			t.Errorf("%v did not end on SIGTERM", argv)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if strings.TrimSpace(string(b)) == comm {
			time.Sleep(100 * time.Millisecond) // past its option parsing
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%v did not become %s", argv, comm)
	return 0
}

// TestDumbInitStopsItselfWhenNoInit: dumb-init that is no namespace init
// sends itself SIGSTOP after forwarding SIGTSTP (its setsid mode forwards
// SIGSTOP to its child's group), and the kernel stops it: predicted no,
// stops, and both it and its child are then in state T.
func TestDumbInitStopsItselfWhenNoInit(t *testing.T) {
	nstest.NeedNamespaces(t)
	pid := startPlain(t, "dumb-init", "dumb-init", "sleep", "1000")
	kids := childrenIn(pid, 'S')
	for deadline := time.Now().Add(10 * time.Second); len(kids) == 0 && time.Now().Before(deadline); kids = childrenIn(pid, 'S') {
		time.Sleep(20 * time.Millisecond)
	}
	if len(kids) == 0 {
		t.Fatalf("dumb-init %d has no sleeping child", pid)
	}
	// A scan links the child, whose fate the prediction follows.
	snap, err := procinspect.Scanner{Root: "/proc", Deep: []int{pid}}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p := snap.Process(pid)
	if p == nil {
		t.Fatalf("dumb-init %d is not in the scan", pid)
	}
	pr := predict.Predict(p, procinspect.SIGTSTP, predict.Inside, kernelProfile(t))
	if pr.Verdict != predict.No || pr.Outcome != predict.Stops || !strings.Contains(pr.Reason, "SIGSTOP instead") {
		t.Errorf("prediction %s/%s (%s); want no/stops, SIGSTOP forwarded", pr.Verdict, pr.Outcome, pr.Reason)
	}
	if err := syscall.Kill(pid, syscall.SIGTSTP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGCONT) // dumb-init forwards it to its child too
	for _, q := range []int{pid, kids[0]} {
		deadline := time.Now().Add(2 * time.Second)
		for {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", q))
			st, err := procinspect.ParseStatus(b)
			if err == nil && st.State == 'T' {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("PID %d is in state %c after SIGTSTP to dumb-init, want T (stopped)", q, st.State)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestInitHugeEnvironLive: a real tini whose environment is 300 KiB, over
// the 256 KiB sigview reads of an environment (the kernel allows up to
// 6 MiB), scanned on the live /proc: its variables are unknown and
// EnvErr says why, and no warning calls its environ a refused file (on
// the code before, every scan warned "refused file: /proc/N/environ:
// larger than 256 KiB, which no kernel's file of this kind is").
func TestInitHugeEnvironLive(t *testing.T) {
	nstest.NeedNamespaces(t)
	if _, err := exec.LookPath("tini"); err != nil {
		t.Fatalf("this test needs tini (CI installs it): %v", err)
	}
	// Three variables of 100,000 bytes: one string may be at most
	// MAX_ARG_STRLEN (128 KiB).
	in := start(t, []string{"/bin/sh", "-c", `A=$(head -c 100000 /dev/zero | tr '\0' a); echo ready; exec env B1=$A B2=$A B3=$A tini -s -- sleep 1000`}, false)
	in.settleKids(1)
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", in.target))
	if err != nil || len(env) < 300000 {
		t.Fatalf("tini's environment: %d bytes, %v; want over 300,000", len(env), err)
	}
	snap, err := procinspect.Scanner{Root: "/proc"}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p := snap.Process(in.target)
	if p == nil {
		t.Fatalf("tini (PID %d) is not in the live scan", in.target)
	}
	if p.Env != nil || !strings.Contains(p.EnvErr, "larger than 256 KiB") {
		t.Errorf("tini with a 300 KiB environment: Env %v, EnvErr %q; want no variables and why", p.Env, p.EnvErr)
	}
	environ := fmt.Sprintf("/proc/%d/environ", in.target)
	for _, w := range snap.Warnings {
		if strings.Contains(w, environ) {
			t.Errorf("live scan warns about tini's real environment: %s", w)
		}
	}
}
