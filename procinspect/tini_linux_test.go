package procinspect_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// tini's -s and -p change nothing of what a signal to tini does (tini.c:
// two prctl calls before it starts its child): the prediction is plain
// tini's, and its reason says why the options do not matter.
var tiniOptionCases = []kernelCase{
	{name: "tini -s -p SIGKILL -- sleep", argv: shExec("tini -s -p SIGKILL -- sleep 1000"), kids: 1,
		want: withKill(map[send]want{
			termIn:   {verdict: "yes", outcome: "forwarded", end: exited(143), reasonHas: "-s (TINI_SUBREAPER) changes nothing here"},
			termHost: {verdict: "yes", outcome: "forwarded", end: exited(143), reasonHas: "-p SIGKILL changes nothing here"},
			intHost:  {verdict: "yes", outcome: "forwarded", end: exited(130), reasonHas: "-p SIGKILL changes nothing here"}})},
}

func init() { kernelCases = append(kernelCases, tiniOptionCases...) }

// TestTiniParentDeathSignal: what -p does do. tini -p SIGTERM is PID 1 of a
// PID namespace whose parent, outside it, is an unshare the test started;
// when that parent dies the kernel sends tini SIGTERM, which tini forwards
// to its child like a SIGTERM from anyone (its verbose log says so) and
// then exits. Without -p, tini and its child live on. sigview's prediction
// for SIGTERM is the same in both (forwarded, 143), and names -p.
func TestTiniParentDeathSignal(t *testing.T) {
	nstest.NeedNamespaces(t)
	for _, withP := range []bool{true, false} {
		argv := []string{"unshare", "--pid", "--fork", "tini", "-vvv"}
		if withP {
			argv = append(argv, "-p", "SIGTERM")
		}
		argv = append(argv, "--", "sleep", "1000")
		// A file, not a pipe: without -p, tini outlives the unshare, and
		// Wait would wait for a pipe it holds open.
		logf, err := os.CreateTemp(t.TempDir(), "tini-log-")
		if err != nil {
			t.Fatal(err)
		}
		defer logf.Close()
		stderrText := func() string { b, _ := os.ReadFile(logf.Name()); return string(b) }
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = logf, logf // tini logs INFO and DEBUG to stdout
		if err := cmd.Start(); err != nil {
			t.Fatalf("%v: %v", argv, err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		// tini is the only child of the unshare the test started; a pidfd
		// keeps the test from ever signalling a reused PID.
		var tini, sleep int
		deadline := time.Now().Add(settleTimeout)
		for time.Now().Before(deadline) && sleep == 0 {
			if kids := childrenIn(cmd.Process.Pid, 0); len(kids) == 1 {
				tini = kids[0]
				if g := childrenIn(tini, 'S'); len(g) == 1 {
					sleep = g[0]
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		if sleep == 0 {
			cmd.Process.Kill()
			t.Fatalf("%v: tini and its sleep did not appear (stderr: %s)", argv, stderrText())
		}
		pidfd, err := unix.PidfdOpen(tini, 0)
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("pidfd_open(%d): %v", tini, err)
		}
		t.Cleanup(func() {
			unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0)
			unix.Close(pidfd)
		})
		snap, err := procinspect.Scanner{Root: "/proc", Kernel: kernelProfile(t)}.Scan()
		if err != nil {
			t.Fatal(err)
		}
		p := snap.Process(tini)
		if p == nil {
			t.Fatalf("tini %d not in the scan", tini)
		}
		pr := predict.Predict(p, procinspect.SIGTERM, predict.Host, snap.Kernel)
		if pr.Verdict != predict.Yes || pr.Outcome != predict.Forwarded || !pr.Exit.Known || pr.Exit.V != 143 || withP != strings.Contains(pr.Reason, "-p SIGTERM changes nothing here") {
			t.Errorf("-p %v: predicted %s/%s exit %v (%s); want yes/forwarded 143, -p named when given", withP, pr.Verdict, pr.Outcome, pr.Exit, pr.Reason)
		}
		// The parent dies (SIGKILL to the unshare this test started).
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-done
		gone := func(pid int) bool {
			_, err := os.Stat(fmt.Sprintf("/proc/%d/task", pid))
			return err != nil
		}
		// With -p they must go: wait up to 30 s (a bound on a hang, not a
		// timing, on a loaded machine). Without, 5 s of watching they stay.
		wait := 5 * time.Second
		if withP {
			wait = 30 * time.Second
		}
		deadline = time.Now().Add(wait)
		for time.Now().Before(deadline) && !(gone(tini) && gone(sleep)) {
			time.Sleep(20 * time.Millisecond)
		}
		switch log := stderrText(); {
		case withP && !(gone(tini) && gone(sleep)):
			t.Errorf("tini -p SIGTERM: its parent died, and tini (%v gone) and sleep (%v gone) are still there; log: %s", gone(tini), gone(sleep), log)
		case withP && (!strings.Contains(log, "Passing signal: 'Terminated'") || !strings.Contains(log, "Main child exited with signal")):
			t.Errorf("tini -p SIGTERM: its log does not show SIGTERM forwarded and the child dying of it: %s", log)
		case !withP && (gone(tini) || gone(sleep)):
			t.Errorf("tini without -p: its parent died and tini or sleep went too; log: %s", log)
		}
	}
}

// TestForwarderChildCgroupUnread: a forwarding init's children are read
// in depth (what the forwarded signal does to them), but their container
// is their init's and shown nowhere: their cgroup file is not read, the
// init's is, unless the child is asked for.
func TestForwarderChildCgroupUnread(t *testing.T) {
	nstest.NeedNamespaces(t)
	cmd := exec.Command("tini", "-s", "--", "sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	init := cmd.Process.Pid
	var kid *procinspect.Process
	for deadline := time.Now().Add(10 * time.Second); kid == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("tini (PID %d) has no sleep child read in depth", init)
		}
		snap, err := procinspect.Scanner{Root: "/proc"}.Scan()
		if err != nil {
			t.Fatal(err)
		}
		if p := snap.Process(init); p != nil && len(p.Children) == 1 && p.Children[0].Name() == "sleep" && p.Children[0].Deep != nil {
			kid = p.Children[0]
		}
	}
	for _, deep := range []bool{false, true} {
		var mu sync.Mutex
		read := map[string]bool{}
		stop := procinspect.OnRead(func(p string) { mu.Lock(); read[p] = true; mu.Unlock() })
		sc := procinspect.Scanner{Root: "/proc"}
		if deep {
			sc.Deep = []int{kid.PID}
		}
		_, err := sc.Scan()
		stop()
		if err != nil {
			t.Fatal(err)
		}
		if !read[fmt.Sprintf("/proc/%d/cgroup", init)] {
			t.Errorf("asked %v: tini's cgroup was not read", deep)
		}
		if got := read[fmt.Sprintf("/proc/%d/cgroup", kid.PID)]; got != deep {
			t.Errorf("asked %v: its child's cgroup read %v, want %v", deep, got, deep)
		}
	}
}
