package procinspect

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/nsutil"
)

// checkSnapshot asserts the invariants every snapshot keeps, live or not.
func checkSnapshot(t *testing.T, snap *Snapshot) {
	t.Helper()
	if snap.Vanished < 0 {
		t.Errorf("Vanished = %d, want >= 0", snap.Vanished)
	}
	seen := map[*Process]*Namespace{}
	pos := map[*Namespace]int{}
	for i, ns := range snap.Namespaces {
		pos[ns] = i
		if ns.Parent != nil {
			if j, ok := pos[ns.Parent]; !ok || j >= i {
				t.Errorf("namespace %v comes before its parent %v", ns.ID, ns.Parent.ID)
			}
		}
		if len(ns.Procs) == 0 {
			t.Errorf("namespace %v has no processes", ns.ID)
		}
		for _, p := range ns.Procs {
			if prev := seen[p]; prev != nil {
				t.Errorf("PID %d is in namespaces %v and %v", p.PID, prev.ID, ns.ID)
			}
			seen[p] = ns
		}
	}
	for _, p := range snap.Processes {
		if p.Status.Name == "" {
			t.Errorf("PID %d has an empty Status.Name (status %+v)", p.PID, p.Status)
		}
		if seen[p] == nil {
			t.Errorf("PID %d is in no namespace", p.PID)
		}
		if snap.Process(p.PID) != p {
			t.Errorf("Process(%d) does not return the listed process", p.PID)
		}
	}
	if len(seen) != len(snap.Processes) {
		t.Errorf("namespaces hold %d processes, Processes lists %d", len(seen), len(snap.Processes))
	}
}

// TestScanLiveChurn scans the live /proc repeatedly while short-lived
// processes come and go: processes that exit mid-read are counted as
// vanished, never reported as errors or half-read entries. It fails when
// nothing vanished mid-scan, since then it tested nothing.
func TestScanLiveChurn(t *testing.T) {
	sleepPath, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatalf("look up sleep(1): %v", err)
	}
	const (
		workers = 6
		budget  = 20 * time.Second
	)
	// Each worker keeps starting a process that lives 1 to 9 ms, about as
	// long as a scan takes, so that some are listed and then gone when
	// their files are read.
	var started, failed atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				started.Add(1)
				if err := exec.Command(sleepPath, fmt.Sprintf("0.00%d", 1+i%9)).Run(); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()

	scans, vanished := 0, 0
	deadline := time.Now().Add(budget)
	for (vanished == 0 || scans < 20) && time.Now().Before(deadline) {
		snap, err := Scanner{}.Scan()
		if err != nil {
			t.Fatalf("Scan() during churn, scan %d: %v", scans, err)
		}
		checkSnapshot(t, snap)
		for _, w := range snap.Warnings {
			if strings.HasPrefix(w, "unreadable status") {
				t.Errorf("scan %d: warning %q: a process that exits must count as vanished", scans, w)
			}
		}
		scans++
		vanished += snap.Vanished
	}
	n := started.Load()
	if n == 0 || failed.Load() == n {
		t.Fatalf("started %d processes, %d failed: the churn did not happen", n, failed.Load())
	}
	t.Logf("%d scans while %d processes ran (%d failed to start); %d vanished mid-scan in total", scans, n, failed.Load(), vanished)
	if vanished == 0 {
		t.Fatalf("in %d scans during churn no process vanished mid-scan: the vanished path was not exercised", scans)
	}
}

// fxCopy copies the fixture tree into a new temporary directory, symlinks
// as symlinks, and returns its root.
func fxCopy(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(fxRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(fxRoot, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		default:
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(to, b, 0o644)
		}
	})
	if err != nil {
		t.Fatalf("copy %s: %v", fxRoot, err)
	}
	return dst
}

// breakNSLink replaces root/PID/ns/pid with a link that is not "pid:[N]".
// (Tests run as root, which ignores permission bits, so a chmod 000 would
// not make the link unreadable.)
func breakNSLink(t *testing.T, root, pid string) {
	t.Helper()
	link := filepath.Join(root, pid, "ns", "pid")
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("garbage", link); err != nil {
		t.Fatal(err)
	}
}

// TestScanBrokenNSLink: a level-0 process whose ns/pid link is garbage
// still appears, inferred into the procfs' own namespace, and the warning
// says which process's link could not be read.
func TestScanBrokenNSLink(t *testing.T) {
	root := fxCopy(t)
	breakNSLink(t, root, "100")
	snap, err := Scanner{Root: root, SelfNS: filepath.Join(root, "1", "ns", "pid")}.Scan()
	if err != nil {
		t.Fatalf("Scan() error: %v", err)
	}
	checkSnapshot(t, snap)
	p := snap.Process(100)
	if p == nil {
		t.Fatalf("PID 100 (garbage ns/pid) missing from the snapshot")
	}
	if p.NS.Ino != fxHostNS || !strings.HasPrefix(p.NSNote, "inferred") {
		t.Errorf("PID 100: NS %v, NSNote %q; want %d, inferred", p.NS, p.NSNote, fxHostNS)
	}
	if ns := snap.NamespaceOf(p); ns == nil || ns.ID.Ino != fxHostNS {
		t.Errorf("PID 100 grouped into %v, want the host namespace", ns)
	}
	var found string
	for _, w := range snap.Warnings {
		if strings.Contains(w, "garbage") || strings.Contains(w, "ns/pid") {
			found = w
		}
	}
	switch {
	case found == "":
		t.Errorf("Warnings = %q, want one about PID 100's unreadable ns/pid link", snap.Warnings)
	case !strings.Contains(found, "100"):
		t.Errorf("warning %q does not say whose link it is: want PID 100 or its ns/pid path in it, as in docs/json.md's \"/proc/1/ns/pid: permission denied\"", found)
	}
}

// TestScanBrokenNSLinkInit: a container init whose ns/pid is garbage cannot
// be placed by inference (it is an init, and its NSpid has two levels); it
// lands in the unidentified group with a warning, and nothing is lost.
func TestScanBrokenNSLinkInit(t *testing.T) {
	root := fxCopy(t)
	breakNSLink(t, root, "100")
	breakNSLink(t, root, "4242")
	snap, err := Scanner{Root: root, SelfNS: filepath.Join(root, "1", "ns", "pid")}.Scan()
	if err != nil {
		t.Fatalf("Scan() error: %v", err)
	}
	checkSnapshot(t, snap)
	if len(snap.Processes) != 16 {
		t.Errorf("%d processes, want all 16 of the fixture", len(snap.Processes))
	}
	p := snap.Process(4242)
	if p == nil {
		t.Fatalf("PID 4242 missing from the snapshot")
	}
	ns := snap.NamespaceOf(p)
	switch {
	case ns == nil:
		t.Fatalf("PID 4242 is in no namespace")
	case ns.ID.IsZero():
		if ns.Level != -1 || ns.Init != nil || ns.Parent != nil {
			t.Errorf("unidentified group: Level %d Init %v Parent %v; want -1, nil, nil", ns.Level, ns.Init, ns.Parent)
		}
		if snap.Namespaces[len(snap.Namespaces)-1] != ns {
			t.Errorf("unidentified group is not listed last")
		}
		var warned bool
		for _, w := range snap.Warnings {
			warned = warned || strings.Contains(w, "unidentified")
		}
		if !warned {
			t.Errorf("Warnings = %q, want one about the unidentified namespace", snap.Warnings)
		}
	case ns.ID.Ino == fxCtNS:
		if !strings.HasPrefix(p.NSNote, "inferred") {
			t.Errorf("PID 4242 placed in %d with NSNote %q, want an inference note", fxCtNS, p.NSNote)
		}
	default:
		t.Errorf("PID 4242 placed in namespace %v, want %d or the unidentified group", ns.ID, fxCtNS)
	}
	var unreadable bool
	for _, w := range snap.Warnings {
		unreadable = unreadable || strings.HasPrefix(w, "unreadable ns/pid")
	}
	if !unreadable {
		t.Errorf("Warnings = %q, want an \"unreadable ns/pid\" line", snap.Warnings)
	}

	// The unidentified group has no inode, no level, no parent and no init
	// (the JSON document shows them as null).
	for _, ns := range snap.Namespaces {
		if !ns.ID.HasInode() && ns.ID.Init == 0 && (ns.Level >= 0 || ns.Parent != nil || ns.Init != nil) {
			t.Errorf("unidentified group = level %d parent %v init %v, want none", ns.Level, ns.Parent, ns.Init)
		}
	}
}

// TestScanDeferredNSMatchesLinks checks the scan's shortcut: a process that
// is not an init gets its namespace from its same-level parent chain
// instead of its own ns/pid link. Over real namespaces (a level-1 one with
// a process tree, a level-2 one inside it, and a process that joined the
// level-1 one with setns, whose parent is outside it), every process's
// namespace must equal what its own link says.
func TestScanDeferredNSMatchesLinks(t *testing.T) {
	nstest.NeedNamespaces(t)
	outer := exec.Command("sh", "-c", `sleep 1000 & (sleep 1000 & wait) & unshare -fp --kill-child sh -c 'sleep 1000 & wait' & echo ready; wait`)
	outer.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true}
	out, err := outer.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := outer.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(-outer.Process.Pid, syscall.SIGKILL); outer.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("namespace: %q %v", line, err)
	}
	joined := exec.Command("nsenter", "-t", strconv.Itoa(outer.Process.Pid), "-p", "sleep", "1000")
	if err := joined.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { joined.Process.Kill(); joined.Wait() }()
	time.Sleep(300 * time.Millisecond) // let unshare and nsenter fork
	snap, err := Scanner{}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, snap)
	checked, levels := 0, map[int]int{}
	for _, p := range snap.Processes {
		want, err := nsutil.PIDNS("/proc", p.PID, true)
		if err != nil {
			continue // gone, or unreadable (PID 1 here)
		}
		checked++
		levels[p.Status.Level()]++
		if p.NS != want {
			t.Errorf("PID %d (%s, NSpid %v): scan says namespace %v, its ns/pid link %v", p.PID, p.Name(), p.Status.NSpid, p.NS, want)
		}
	}
	if levels[1] < 4 || levels[2] < 2 {
		t.Errorf("checked %d processes by level %v; want at least 4 at level 1 and 2 at level 2", checked, levels)
	}
}

// TestScanReusesDeepFacts checks Scanner.Prev: what an unchanged program's
// executable says (Go, exe, JVM) comes from the previous snapshot, but its
// threads, wait states and readers are read again every time; a new start
// time (a reused PID), an exec or a PID asked for in Deep reads everything.
func TestScanReusesDeepFacts(t *testing.T) {
	root := fxCopy(t)
	self := filepath.Join(root, "1", "ns", "pid")
	// The single-threaded init 5000 gets a stat file (a start time).
	st4242, err := os.ReadFile(filepath.Join(root, "4242", "stat"))
	if err != nil {
		t.Fatal(err)
	}
	st5000 := "5000 (catatonit)" + string(st4242[strings.IndexByte(string(st4242), ')')+1:])
	if err := os.WriteFile(filepath.Join(root, "5000", "stat"), []byte(st5000), 0o644); err != nil {
		t.Fatal(err)
	}
	// Its executable: a file of the test's own, so that its identity
	// (device and inode) can change.
	bin := filepath.Join(t.TempDir(), "catatonit")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(root, "5000", "exe")
	os.Remove(exe)
	if err := os.Symlink(bin, exe); err != nil {
		t.Fatal(err)
	}
	first, err := Scanner{Root: root, SelfNS: self}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if p := first.Process(5000); p == nil || p.Deep == nil || p.StartTime == 0 {
		t.Fatalf("fixture init 5000 lacks deep facts or a start time: %+v", p)
	}
	again, err := Scanner{Root: root, SelfNS: self, Prev: first}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if p, q := again.Process(5000), first.Process(5000); !p.reused || p.Deep == q.Deep || p.Deep.Exe != q.Deep.Exe || p.Deep.Go != q.Deep.Go {
		t.Errorf("unchanged init 5000: reused=%v, Deep read again %v; want the program's facts kept and the rest read again", p.reused, p.Deep != q.Deep)
	}
	// Threads are read again, for a multi-threaded init too.
	if p, q := again.Process(4242), first.Process(4242); p.Deep == q.Deep || len(p.Deep.Threads) != len(q.Deep.Threads) {
		t.Errorf("two-thread init 4242: threads not read again (%d, was %d)", len(p.Deep.Threads), len(q.Deep.Threads))
	}
	// exec keeps the start time and may keep the masks: another name or
	// command line is another program.
	cmdline := filepath.Join(root, "5000", "cmdline")
	cl, _ := os.ReadFile(cmdline)
	os.WriteFile(cmdline, []byte("perl\x00-e\x00sleep 1000\x00"), 0o644)
	if p, _ := (Scanner{Root: root, SelfNS: self, Prev: first}.Scan()); p.Process(5000).reused {
		t.Errorf("init 5000 after an exec (another command line) reused the previous read")
	}
	os.WriteFile(cmdline, cl, 0o644)
	// Another file at the same path (an upgrade's rename over it): the same
	// exe link, another program.
	other := bin + ".new"
	if err := os.WriteFile(other, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, bin); err != nil {
		t.Fatal(err)
	}
	if p, _ := (Scanner{Root: root, SelfNS: self, Prev: first}.Scan()); p.Process(5000).reused {
		t.Errorf("init 5000 whose executable is another file at the same path reused the previous read")
	}
	asked, _ := Scanner{Root: root, SelfNS: self, Prev: first, Deep: []int{5000}}.Scan()
	if p := asked.Process(5000); p.reused {
		t.Errorf("init 5000, asked for in Deep, reused the previous read")
	}
	status := filepath.Join(root, "5000", "status")
	b, _ := os.ReadFile(status)
	if err := os.WriteFile(status, []byte(strings.Replace(string(b), "SigBlk:\t0000000000004002", "SigBlk:\t0000000000000002", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	task := filepath.Join(root, "5000", "task", "5000", "status")
	tb, _ := os.ReadFile(task)
	if err := os.WriteFile(task, []byte(strings.Replace(string(tb), "SigBlk:\t0000000000004002", "SigBlk:\t0000000000000002", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, _ := Scanner{Root: root, SelfNS: self, Prev: first}.Scan()
	if p := changed.Process(5000); len(p.Deep.Threads) == 0 || p.Deep.Threads[0].Status.SigBlk.Set != 0x2 {
		t.Errorf("init 5000 whose SigBlk changed: threads %+v; want the new mask 0x2 read", p.Deep.Threads)
	}
	stat := filepath.Join(root, "5000", "stat")
	sb, _ := os.ReadFile(stat)
	f := strings.Fields(string(sb))
	f[21] = f[21] + "7" // another start time: the PID was reused
	os.WriteFile(stat, []byte(strings.Join(f, " ")), 0o644)
	os.WriteFile(status, b, 0o644)
	reborn, _ := Scanner{Root: root, SelfNS: self, Prev: first}.Scan()
	if p := reborn.Process(5000); p.reused {
		t.Errorf("init 5000 with another start time reused the previous read")
	}
}
