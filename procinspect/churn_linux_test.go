package procinspect_test

// The property of incremental rescans (Scanner.Prev, reuse.go): after any
// churn, once it stops, a rescan that builds on the previous snapshots
// shows what a fresh full scan shows. Both run in a PID namespace of the
// test's own, with its own procfs, so that PIDs can be reused at will
// (ns_last_pid) without touching the host's.

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

// TestRescanUnderChurn re-runs itself as PID 1 of new PID and mount
// namespaces with a private procfs, churns processes there (births,
// deaths, execs, reparenting, PID reuse through ns_last_pid, threads coming
// and going, namespaces born and dying) while rescanning incrementally,
// stops the churn, and compares the last incremental snapshot with a fresh
// full scan. SIGVIEW_CHURN_SEED replays a run.
func TestRescanUnderChurn(t *testing.T) {
	if os.Getenv("SIGVIEW_CHURN_INNER") != "" {
		churnInside(t)
		return
	}
	rerunChurn(t, "TestRescanUnderChurn", "1", "tini", python3, "sleep", "sh")
}

// rerunChurn re-runs test as PID 1 of new PID and mount namespaces with
// SIGVIEW_CHURN_INNER=inner and the seed (SIGVIEW_CHURN_SEED's, or a new
// one), once the programs the churn needs are found.
func rerunChurn(t *testing.T, test, inner string, needs ...string) {
	nstest.NeedNamespaces(t)
	for _, c := range needs {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("the churn needs %s (CI installs it): %v", c, err)
		}
	}
	seed := os.Getenv("SIGVIEW_CHURN_SEED")
	if seed == "" {
		seed = strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	nstest.RerunAsInit(t, test, 300*time.Second, " (replay with SIGVIEW_CHURN_SEED="+seed+")", "SIGVIEW_CHURN_INNER="+inner, "SIGVIEW_CHURN_SEED="+seed)
}

// python3 is Debian's, which any UID may run: not a pyenv shim, a bash
// script whose forks, slow under load, outlast the churn's stop (processes
// born while the two scans at rest are compared).
const python3 = "/usr/bin/python3"

// churner starts and ends the churn's processes. Everything it starts is
// in the test's own PID namespace, which dies with the test.
type churner struct {
	t     *testing.T
	rng   *rand.Rand
	live  []*exec.Cmd
	reuse int // PIDs reused by another process
	// host is set for a churn in the host's PID namespace, where
	// ns_last_pid is left alone.
	host bool
	// nobody is set for a churn scanned as uid 65534
	// (TestRescanUnderChurnAsNobody): its processes are born too.
	nobody bool
}

func (c *churner) start(newNS bool, argv ...string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	if newNS {
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	}
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start %v: %v", argv, err)
	}
	c.live = append(c.live, cmd)
	return cmd
}

// kill ends a random started process (a namespace init takes its
// namespace with it; a shell's children are reparented) and reaps it.
func (c *churner) kill() *exec.Cmd {
	if len(c.live) == 0 {
		return nil
	}
	i := c.rng.Intn(len(c.live))
	cmd := c.live[i]
	c.live = slices.Delete(c.live, i, i+1)
	cmd.Process.Kill()
	cmd.Wait()
	return cmd
}

// reusePID kills a started process and makes the next one take its PID
// (ns_last_pid; the Go runtime's own threads may take it first: retried).
func (c *churner) reusePID(newNS bool, argv ...string) {
	for try := 0; try < 5; try++ {
		old := c.kill()
		if old == nil {
			return
		}
		if c.host {
			c.start(newNS, argv...)
			return
		}
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(old.Process.Pid-1)), 0); err != nil {
			c.t.Fatalf("set ns_last_pid: %v", err)
		}
		if c.start(newNS, argv...).Process.Pid == old.Process.Pid {
			c.reuse++
			return
		}
	}
}

// step is one random change.
func (c *churner) step() {
	threads := `import threading, time, random
ts = [threading.Thread(target=time.sleep, args=(random.random(),)) for _ in range(4)]
[t.start() for t in ts]
time.sleep(1000)`
	cases := 12
	if c.nobody {
		cases = 14
	}
	switch c.rng.Intn(cases) {
	case 0:
		c.start(false, "sleep", "1000")
	case 1:
		c.start(false, "sh", "-c", "sleep 1000 & sleep 1000 & wait")
	case 2, 3:
		c.kill()
	case 4: // an exec, of an ordinary process and of a namespace init
		c.start(false, "sh", "-c", "sleep 0.1; exec sleep 1000")
		c.start(true, "sh", "-c", "sleep 1000 & sleep 0.2; exec sleep 1001")
		// An init's exec that keeps its name (and its masks and wait):
		// only its command line changes, after a rescan may have kept the
		// last one for a process asleep since (reuse.go: quiet).
		c.start(true, "sh", "-c", `sleep 0.2; exec sh -c "sleep 1000" kept-name`)
	case 5: // reparenting: the parent exits, the child is adopted
		c.start(false, "sh", "-c", "sleep 1000 & sleep 0.3")
		c.start(true, "tini", "-s", "--", "sh", "-c", `sh -c "sleep 1000 & sleep 0.3" & sleep 1000 & wait`)
	case 6: // a namespace is born
		c.start(true, "tini", "-s", "--", "sh", "-c", "sleep 1000 & sleep 1000 & wait")
	case 7: // threads come and go, in an ordinary process and an init
		c.start(c.rng.Intn(2) == 0, python3, "-c", threads)
	case 8, 9: // a PID reused by the same program and by another
		c.reusePID(false, "sleep", "1000")
		c.reusePID(true, "sh", "-c", "sleep 1000 & exec sleep 1000")
	case 10:
		c.reusePID(false, python3, "-c", threads)
	case 11: // a namespace dies with its init; a shell's children are orphaned
		c.kill()
		c.kill()
	case 12: // uid 65534's processes born into root's namespaces, and gone
		nobody := "setpriv --reuid 65534 --regid 65534 --clear-groups"
		c.start(true, "sh", "-c", "sleep 1000 & sleep 0.2; "+nobody+" sleep 1000 & sleep 0.3; "+nobody+" sleep 0.2 & wait")
		c.start(true, "sh", "-c", "sleep 1000 & sleep 0.1; "+nobody+" sleep 0.4 & wait")
		c.start(false, "sh", "-c", nobody+" sleep 1000 & sleep 0.2")
	case 13: // uid 65534's ns/pid links close (not dumpable) once read: below a root init and an init's own
		py := "import ctypes, random, time; time.sleep(random.random() / 2); ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); time.sleep(1000)"
		nobody := []string{"setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", python3, "-c", py}
		c.start(true, append([]string{"sh", "-c", `sleep 1000 & "$@" & wait`, "sh"}, nobody...)...)
		c.start(true, nobody...)
	}
}

func churnInside(t *testing.T) {
	nstest.BecomeProcInit(t)
	// The process events carry the initial namespace's PIDs: from here
	// sigview cannot subscribe, and its rescans list /proc (events.go).
	// OpenEvents refuses before it asks; the kernel itself does not
	// acknowledge a subscription from here (cn_proc_mcast_ctl ignores it).
	if ev, err := procinspect.OpenEvents(); err == nil {
		ev.Close()
		t.Errorf("subscribed to the process events from PID 1 of a new PID namespace")
	}
	if err := procinspect.Subscribe(); err == nil || !strings.Contains(err.Error(), "did not acknowledge") {
		t.Errorf("the kernel's answer to a subscription from PID 1 of a new PID namespace: %v, want no acknowledgement", err)
	}
	seed, _ := strconv.ParseInt(os.Getenv("SIGVIEW_CHURN_SEED"), 10, 64)
	c := &churner{t: t, rng: rand.New(rand.NewSource(seed))}
	sc := procinspect.Scanner{Root: "/proc"}
	var inc *procinspect.Snapshot
	scans := 0
	rescan := func() {
		s := sc
		s.Prev = inc
		s.Deep = detailOf(inc, c.rng)
		var before string
		if inc != nil {
			before = procinspect.Fingerprint(inc)
		}
		next, err := s.Scan()
		if err != nil {
			t.Fatal(err)
		}
		// The UI draws the last snapshot while the next is made: a
		// process the two share is never changed (share.go).
		if inc != nil && procinspect.Fingerprint(inc) != before {
			t.Fatalf("rescan %d changed the snapshot it built on", scans+1)
		}
		inc = next
		scans++
	}
	var nobody *nobodyScanner
	if os.Getenv("SIGVIEW_CHURN_INNER") == "nobody" {
		c.nobody = true
		nobody = startNobodyScanner(t, seed)
		rescan = func() { nobody.do("r") }
	} else {
		reusedInit(t, c, sc)
	}
	for round := 0; round < 3; round++ {
		for i := 0; i < 60; i++ {
			c.step()
			if c.rng.Intn(8) == 0 {
				rescan()
			}
		}
		// A pause within the churn: the delayed execs and exits happen
		// between scans as well as during them.
		time.Sleep(time.Duration(c.rng.Intn(400)) * time.Millisecond)
		rescan()
	}
	// Surely once: children seen with their parent, which then exits
	// (unreaped: a zombie) and leaves them to PID 1 and to a nested init.
	c.start(false, "sh", "-c", "sleep 1000 & sleep 0.5")
	c.start(true, "tini", "-s", "--", "sh", "-c", `sh -c "sleep 1000 & sleep 0.5" & sleep 1000 & wait`)
	time.Sleep(100 * time.Millisecond)
	rescan()
	// Stop: every delayed exec, exit and thread end is over after 1 s.
	time.Sleep(1500 * time.Millisecond)
	rescan()
	if c.reuse == 0 {
		t.Errorf("no PID was reused: the churn did not test reuse")
	}
	if nobody != nil {
		nobody.do("c")
		nobody.wait(t)
		return
	}
	compareAtRest(t, sc, inc, detailOf(inc, c.rng), scans, c.reuse, true, "")
}

// compareAtRest compares a rescan on inc, the last incremental snapshot,
// with a full scan, deep read in depth. regroup says whether a rescan at
// rest must have kept the grouping (as root, where no namespace is
// inferred). Of a warning of kind uncounted only the kind is compared,
// not how many processes it was noted for nor the first.
func compareAtRest(t *testing.T, sc procinspect.Scanner, inc *procinspect.Snapshot, deep []int, scans, reuse int, regroup bool, uncounted string) {
	// What does not race at rest (the processes, their namespaces, parents
	// and NSpid, the grouping) must be the same on the first try: a
	// rescan that would repair it later is wrong now. A process read in
	// depth is read afresh by both scans, and a real one may be caught
	// running (tini wakes every second): a difference in what is read in
	// depth must last over a few tries to count. Each try rescans on the
	// same last incremental snapshot, so that it takes the path that
	// differed.
	regrouped := 0
	defer func() {
		// At rest, a rescan groups as the one before did (regroup.go):
		// the comparison below is of that copy.
		if regroup && regrouped == 0 && !t.Failed() {
			t.Errorf("no rescan at rest took the grouping of the one before: the copy was not tested")
		}
	}()
	var diffs []string
	for try := 0; try < 10; try++ {
		last := sc
		last.Prev, last.Deep = inc, deep
		got, err := last.Scan()
		if err != nil {
			t.Fatal(err)
		}
		fresh := sc
		fresh.Deep = deep
		want, err := fresh.Scan()
		if err != nil {
			t.Fatal(err)
		}
		if procinspect.Regrouped(got) {
			regrouped++
		}
		t.Logf("%d incremental scans (grouping kept: %v); the last: %d processes in %d namespaces, %d in depth; %d PIDs reused by another process",
			scans, procinspect.Regrouped(got), len(want.Processes), len(want.Namespaces), len(deep), reuse)
		if uncounted != "" {
			for _, s := range []*procinspect.Snapshot{got, want} {
				for i, w := range s.Warnings {
					if strings.HasPrefix(w, uncounted+" (") || strings.HasPrefix(w, uncounted+": ") {
						s.Warnings[i] = uncounted
					}
				}
			}
		}
		rest, deepDiffs := compareScans(got, want)
		if try == 0 && len(rest) > 0 {
			for _, d := range slices.Concat(rest, deepDiffs) {
				t.Error(d)
			}
			return
		}
		if diffs = slices.Concat(rest, deepDiffs); len(diffs) == 0 {
			return
		}
		t.Logf("try %d: %d differences, the first: %s", try, len(diffs), diffs[0])
		time.Sleep(500 * time.Millisecond)
	}
	for _, d := range diffs {
		t.Error(d)
	}
}

// reusedInit: a namespace init's PID reused by another init is read in
// full by a rescan: its name, masks, start time and program facts.
func reusedInit(t *testing.T, c *churner, sc procinspect.Scanner) {
	old := c.start(true, "sh", "-c", "sleep 1000 & exec sleep 1000")
	time.Sleep(50 * time.Millisecond)
	first, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	was := first.Process(old.Process.Pid)
	if was == nil || was.Deep == nil || was.StartTime == 0 {
		t.Fatalf("the first init, PID %d, was not read in depth: %+v", old.Process.Pid, was)
	}
	c.live = c.live[:0]
	old.Process.Kill()
	old.Wait()
	time.Sleep(20 * time.Millisecond) // a later clock tick: another start time
	var reuser *exec.Cmd
	for try := 0; try < 5; try++ {
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(was.PID-1)), 0); err != nil {
			t.Fatalf("set ns_last_pid: %v", err)
		}
		// Another program, which blocks SIGTERM.
		reuser = c.start(true, python3, "-c", "import signal, time; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM}); time.sleep(1000)")
		if reuser.Process.Pid == was.PID {
			break
		}
	}
	if reuser.Process.Pid != was.PID {
		t.Fatalf("no process took the freed PID %d", was.PID)
	}
	// Wait until python3 has set its mask.
	status := "/proc/" + strconv.Itoa(was.PID) + "/status"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(status); strings.Contains(string(b), "SigBlk:\t0000000000004000") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("python3 did not block SIGTERM within 10 s")
		}
	}
	s := sc
	s.Prev = first
	again, err := s.Scan()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p, f := again.Process(was.PID), fresh.Process(was.PID)
	switch {
	case p == nil || f == nil || p.Deep == nil:
		t.Fatalf("PID %d reused: rescan %+v, full scan %+v", was.PID, p, f)
	case p.StartTime == was.StartTime || p.Name() != "python3" || p.Deep.Exe != f.Deep.Exe || p.Deep.Exe == was.Deep.Exe:
		t.Errorf("PID %d reused by python3: the rescan reads %s started at %d running %q; before, %s at %d running %q; a full scan: %s %q",
			was.PID, p.Name(), p.StartTime, p.Deep.Exe, was.Name(), was.StartTime, was.Deep.Exe, f.Name(), f.Deep.Exe)
	case p.Status.SigBlk != f.Status.SigBlk || !p.Status.SigBlk.Known || p.Status.SigBlk.Set&(1<<(syscall.SIGTERM-1)) == 0:
		t.Errorf("PID %d reused: the rescan's SigBlk %v, a full scan's %v; want SIGTERM blocked", was.PID, p.Status.SigBlk, f.Status.SigBlk)
	}
	t.Logf("PID %d: %s started at %d, then %s at %d", was.PID, was.Name(), was.StartTime, p.Name(), p.StartTime)
	c.live = append(c.live[:0], reuser)
}

// detailOf is what the UI's detail view asks to be read in depth: the
// processes of one namespace of the last snapshot (here a random one).
func detailOf(s *procinspect.Snapshot, rng *rand.Rand) []int {
	if s == nil || len(s.Namespaces) == 0 {
		return nil
	}
	ns := s.Namespaces[rng.Intn(len(s.Namespaces))]
	var out []int
	for _, p := range ns.Procs {
		out = append(out, p.PID)
	}
	return out
}

// compareScans fails on any difference between an incremental snapshot and
// a full one in what the UI, --once and the metrics show: the namespaces,
// their rows (init, name, process count, predictions, stop), every
// process's namespace and parent, and everything about the processes read
// in depth (inits, the detail view's, a forwarder's children). rest are the
// differences in what does not race once the processes are at rest (the
// processes, their namespaces, PPid and NSpid, the grouping); deep, in
// what is read afresh in depth (and what follows from it: warnings,
// rows).
func compareScans(got, want *procinspect.Snapshot) (rest, deep []string) {
	restf := func(format string, args ...any) { rest = append(rest, fmt.Sprintf(format, args...)) }
	deepf := func(format string, args ...any) { deep = append(deep, fmt.Sprintf(format, args...)) }
	if !slices.Equal(got.Warnings, want.Warnings) {
		deepf("warnings:\n incremental %q\n full        %q", got.Warnings, want.Warnings)
	}
	// This process by its PID in the procfs' namespace, which may be an
	// ancestor of its own (os.Getpid).
	self, _ := os.Readlink("/proc/self")
	if len(got.Processes) != len(want.Processes) {
		restf("incremental: %d processes, full: %d", len(got.Processes), len(want.Processes))
	}
	for _, w := range want.Processes {
		g := got.Process(w.PID)
		if g == nil {
			restf("PID %d (%s) missing from the incremental snapshot", w.PID, w.Name())
			continue
		}
		if g.NS != w.NS || g.Status.PPid != w.Status.PPid || !slices.Equal(g.Status.NSpid, w.Status.NSpid) || g.Kthread != w.Kthread {
			restf("PID %d: incremental NS %v PPid %v NSpid %v; full NS %v PPid %v NSpid %v",
				w.PID, g.NS, g.Status.PPid, g.Status.NSpid, w.NS, w.Status.PPid, w.Status.NSpid)
		}
		if gn, wn := got.NamespaceOf(g), want.NamespaceOf(w); gn == nil || wn == nil || gn.ID != wn.ID || g.InitialNS != w.InitialNS {
			restf("PID %d: grouped into %v (initial %v), full into %v (initial %v)", w.PID, nsName(gn), g.InitialNS, nsName(wn), w.InitialNS)
		}
		if (g.Deep == nil) != (w.Deep == nil) {
			restf("PID %d (%s): read in depth: incremental %v, full %v", w.PID, w.Name(), g.Deep != nil, w.Deep != nil)
			continue
		}
		if w.Deep == nil || w.PID == 1 || strconv.Itoa(w.PID) == self {
			// PID 1 is this test, and so is the scanner as uid 65534
			// (TestRescanUnderChurnAsNobody), running: its Go runtime's
			// threads come and go.
			continue
		}
		if d := deepDiff(g, w); d != "" {
			deepf("PID %d (%s) read in depth: %s", w.PID, w.Name(), d)
		}
	}
	if len(got.Namespaces) != len(want.Namespaces) {
		restf("incremental: %d namespaces, full: %d", len(got.Namespaces), len(want.Namespaces))
		return rest, deep
	}
	ga, wa := predict.Assess(got, got.Kernel), predict.Assess(want, want.Kernel)
	for i, w := range want.Namespaces {
		g := got.Namespaces[i]
		if nsFacts(g) != nsFacts(w) {
			restf("namespace %d:\n incremental %s\n full        %s", i, nsFacts(g), nsFacts(w))
		}
		if gr, wr := render.NewRow(ga, g), render.NewRow(wa, w); !reflect.DeepEqual(gr, wr) {
			deepf("namespace %s row:\n incremental %+v\n full        %+v", w.ID, gr, wr)
		}
	}
	return rest, deep
}

// nsFacts is a namespace's identity, place, init and processes as text.
func nsFacts(ns *procinspect.Namespace) string {
	par, init := "-", 0
	if ns.Parent != nil {
		par = ns.Parent.ID.String()
	}
	if ns.Init != nil {
		init = ns.Init.PID
	}
	var pids, kids []string
	for _, p := range ns.Procs {
		pids = append(pids, strconv.Itoa(p.PID))
	}
	for _, k := range ns.Children {
		kids = append(kids, k.ID.String())
	}
	return fmt.Sprintf("%s level %d parent %s (%s) initial %v init %d procs [%s] children [%s]", ns.ID, ns.Level, par, ns.ParentNote, ns.Initial, init, strings.Join(pids, " "), strings.Join(kids, " "))
}

// nsName is a namespace's identity, or "none".
func nsName(ns *procinspect.Namespace) string {
	if ns == nil {
		return "none"
	}
	return ns.ID.String()
}

// deepDiff says how two readings of a process read in depth differ.
func deepDiff(g, w *procinspect.Process) string {
	var out []string
	// SigQ counts the signals queued for the process's user, everyone's:
	// not a fact of this process. The switch counts and the leader's run
	// time are how a rescan knows a process has not run (reuse.go: quiet,
	// quietThread), shown nowhere: the two scans read them at different
	// moments, and a process that wakes by itself (tini, every second)
	// runs in between. What it waits in is compared.
	gs, ws := *g.Status, *w.Status // copies: a reading may be shared with the next rescan
	gs.SigQ, ws.SigQ = "", ""
	gs.Switches, ws.Switches = procinspect.Known[[2]uint64]{}, procinspect.Known[[2]uint64]{}
	// Copies: g is the next rescan's Prev, whose threads' switch counts
	// say whether a thread has run since (reuse.go: quietThread).
	gt, wt := slices.Clone(g.Deep.Threads), slices.Clone(w.Deep.Threads)
	procinspect.ClearRun(gt)
	procinspect.ClearRun(wt)
	for i := range gt {
		gt[i].Status.SigQ = ""
		gt[i].Status.Switches = gs.Switches
	}
	for i := range wt {
		wt[i].Status.SigQ = ""
		wt[i].Status.Switches = ws.Switches
	}
	if !reflect.DeepEqual(gs, ws) {
		out = append(out, fmt.Sprintf("status %+v, full %+v", g.Status, w.Status))
	}
	if !slices.Equal(g.Cmdline, w.Cmdline) || g.StartTime != w.StartTime {
		out = append(out, fmt.Sprintf("cmdline %q start %d, full %q start %d", g.Cmdline, g.StartTime, w.Cmdline, w.StartTime))
	}
	if !reflect.DeepEqual(gt, wt) || !reflect.DeepEqual(g.Deep.Consumers, w.Deep.Consumers) {
		out = append(out, fmt.Sprintf("threads %+v readers %+v, full %+v %+v", g.Deep.Threads, g.Deep.Consumers, w.Deep.Threads, w.Deep.Consumers))
	}
	if g.Deep.Go != w.Deep.Go || g.Deep.Exe != w.Deep.Exe || g.Deep.JVM != w.Deep.JVM {
		out = append(out, fmt.Sprintf("program go %v exe %q jvm %v, full %v %q %v", g.Deep.Go, g.Deep.Exe, g.Deep.JVM, w.Deep.Go, w.Deep.Exe, w.Deep.JVM))
	}
	var gk, wk []int
	for _, k := range g.Children {
		gk = append(gk, k.PID)
	}
	for _, k := range w.Children {
		wk = append(wk, k.PID)
	}
	if !slices.Equal(gk, wk) {
		out = append(out, fmt.Sprintf("children %v, full %v", gk, wk))
	}
	if !reflect.DeepEqual(g.Container, w.Container) {
		out = append(out, fmt.Sprintf("container %+v, full %+v", g.Container, w.Container))
	}
	return strings.Join(out, "; ")
}
