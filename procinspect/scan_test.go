package procinspect

import (
	"errors"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/nsutil"
)

// The fixture procfs (testdata/proc) and its PID namespaces.
const (
	fxRoot   = "testdata/proc"
	fxSelfNS = "testdata/proc/1/ns/pid" // the viewer sits in the host's namespace

	fxHostNS   = 4026531836 // level 0: 1 systemd, 100, 4200, 7000, 8000, 8001, 9000
	fxCtNS     = 4026532201 // level 1: init 4242, 4210 (exec'd in), 4250, 4260, 4270, zombie 4300
	fxNestedNS = 4026532305 // level 2 inside the container: init 5000 (signalfd), 5010
	fxGvisorNS = 4026532400 // level 1: init 6000 without Sig* lines
)

// fxScan scans the fixture.
func fxScan(t *testing.T) *Snapshot {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		// The scanner reads syscall numbers in the table of the architecture
		// it was built for, and the fixture was captured on x86_64.
		nstest.Skip(t, "fixture-x86_64", "the fixture's syscall files hold x86_64 numbers, not %s's", runtime.GOARCH)
	}
	snap, err := Scanner{Root: fxRoot, SelfNS: fxSelfNS}.Scan()
	if err != nil {
		t.Fatalf("Scanner{Root: %q}.Scan() error: %v", fxRoot, err)
	}
	return snap
}

func pidsOf(ps []*Process) []int {
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = p.PID
	}
	return out
}

func sortedInts(v []int) []int {
	out := slices.Clone(v)
	sort.Ints(out)
	return out
}

func TestScanFixtureNamespaces(t *testing.T) {
	snap := fxScan(t)

	type nsWant struct {
		ino    uint64
		level  int
		parent uint64 // 0: none
		note   string
		init   int // 0: none
		pids   []int
		kids   []uint64
	}
	const chain = "NSpid levels along the parent chain"
	want := []nsWant{
		{fxHostNS, 0, 0, "top of this procfs", 1, []int{1, 100, 4200, 7000, 8000, 8001, 9000}, []uint64{fxCtNS, fxGvisorNS}},
		{fxCtNS, 1, fxHostNS, chain, 4242, []int{4210, 4242, 4250, 4260, 4270, 4300}, []uint64{fxNestedNS}},
		{fxNestedNS, 2, fxCtNS, chain, 5000, []int{5000, 5010}, nil},
		{fxGvisorNS, 1, fxHostNS, chain, 6000, []int{6000}, nil},
	}
	var gotOrder []uint64
	for _, ns := range snap.Namespaces {
		gotOrder = append(gotOrder, ns.ID.Ino)
	}
	wantOrder := []uint64{fxHostNS, fxCtNS, fxNestedNS, fxGvisorNS}
	if diff := cmp.Diff(wantOrder, gotOrder); diff != "" {
		t.Fatalf("namespace order mismatch (-want +got):\n%s", diff)
	}
	for i, w := range want {
		ns := snap.Namespaces[i]
		if ns.ID != (nsutil.NSID{Ino: w.ino}) {
			t.Errorf("namespace %d: ID = %+v, want {Dev:0 Ino:%d} (readlink identity)", i, ns.ID, w.ino)
		}
		if ns.Level != w.level {
			t.Errorf("namespace %d: Level = %d, want %d", w.ino, ns.Level, w.level)
		}
		var parent uint64
		if ns.Parent != nil {
			parent = ns.Parent.ID.Ino
		}
		if parent != w.parent {
			t.Errorf("namespace %d: parent = %d, want %d", w.ino, parent, w.parent)
		}
		if ns.ParentNote != w.note {
			t.Errorf("namespace %d: ParentNote = %q, want %q", w.ino, ns.ParentNote, w.note)
		}
		initPID := 0
		if ns.Init != nil {
			initPID = ns.Init.PID
		}
		if initPID != w.init {
			t.Errorf("namespace %d: Init = PID %d, want %d", w.ino, initPID, w.init)
		}
		if diff := cmp.Diff(w.pids, sortedInts(pidsOf(ns.Procs))); diff != "" {
			t.Errorf("namespace %d: processes mismatch (-want +got):\n%s", w.ino, diff)
		}
		var kids []uint64
		for _, c := range ns.Children {
			kids = append(kids, c.ID.Ino)
		}
		if diff := cmp.Diff(w.kids, kids); diff != "" {
			t.Errorf("namespace %d: children mismatch (-want +got):\n%s", w.ino, diff)
		}
		if wantInitial := w.ino == fxHostNS; ns.Initial != KnownFlag(wantInitial) {
			t.Errorf("namespace %d: Initial = %+v, want known %v", w.ino, ns.Initial, wantInitial)
		}
		for _, p := range ns.Procs {
			if got := snap.NamespaceOf(p); got != ns {
				t.Errorf("NamespaceOf(PID %d) = %v, want namespace %d", p.PID, got, w.ino)
			}
			if p.InitialNS != ns.Initial {
				t.Errorf("PID %d: InitialNS = %+v, want %+v like its namespace", p.PID, p.InitialNS, ns.Initial)
			}
		}
	}

	// Each parent comes before its children.
	pos := map[*Namespace]int{}
	for i, ns := range snap.Namespaces {
		pos[ns] = i
	}
	for i, ns := range snap.Namespaces {
		if ns.Parent != nil && pos[ns.Parent] >= i {
			t.Errorf("namespace %d at %d comes before its parent %d at %d", ns.ID.Ino, i, ns.Parent.ID.Ino, pos[ns.Parent])
		}
	}
}

// TestScanFixtureInitByNSpid checks that the init is the process whose last
// NSpid field is 1, not the lowest host PID: 4210 (entered with docker exec)
// has a lower PID than the container's init 4242.
func TestScanFixtureInitByNSpid(t *testing.T) {
	snap := fxScan(t)
	ct := snap.NamespaceOf(snap.Process(4210))
	if ct == nil || ct.ID.Ino != fxCtNS {
		t.Fatalf("PID 4210 is in %v, want namespace %d", ct, fxCtNS)
	}
	if ct.Init == nil || ct.Init.PID != 4242 {
		t.Fatalf("container init = %v, want PID 4242 (NSpid 4242 1), not the lowest PID 4210", ct.Init)
	}
	if got := ct.Init.Status.NSpid; !cmp.Equal(got, []int{4242, 1}) {
		t.Errorf("init NSpid = %v, want [4242 1]", got)
	}
	for _, ns := range snap.Namespaces {
		if ns.Init == nil {
			continue
		}
		if isInit, known := ns.Init.Status.IsInit(); !isInit || !known {
			t.Errorf("namespace %d: Init PID %d has NSpid %v", ns.ID.Ino, ns.Init.PID, ns.Init.Status.NSpid)
		}
	}
}

// TestScanFixtureProcessOrder checks the documented order: Snapshot.Processes
// and each Namespace.Procs list processes by PID, whatever order the
// directory listing of the procfs returns (a fixture or a copy of /proc is
// not sorted by the file system).
func TestScanFixtureProcessOrder(t *testing.T) {
	snap := fxScan(t)
	if got := pidsOf(snap.Processes); !slices.IsSorted(got) {
		t.Errorf("Snapshot.Processes PIDs = %v, want them by PID", got)
	}
	for _, ns := range snap.Namespaces {
		if got := pidsOf(ns.Procs); !slices.IsSorted(got) {
			t.Errorf("namespace %d: Procs PIDs = %v, want them by PID", ns.ID.Ino, got)
		}
	}
}

func TestScanFixtureProcesses(t *testing.T) {
	snap := fxScan(t)
	sc := Scanner{Root: fxRoot, SelfNS: fxSelfNS}
	var err error
	if snap.Live {
		t.Errorf("Live = true for a fixture directory")
	}
	if snap.Root != fxRoot {
		t.Errorf("Root = %q, want %q", snap.Root, fxRoot)
	}
	if snap.Vanished != 0 {
		t.Errorf("Vanished = %d, want 0", snap.Vanished)
	}
	wantPIDs := []int{1, 100, 4200, 4210, 4242, 4250, 4260, 4270, 4300, 5000, 5010, 6000, 7000, 8000, 8001, 9000}
	if diff := cmp.Diff(wantPIDs, sortedInts(pidsOf(snap.Processes))); diff != "" {
		t.Errorf("processes mismatch (-want +got):\n%s", diff)
	}
	for _, pid := range wantPIDs {
		if p := snap.Process(pid); p == nil || p.PID != pid {
			t.Errorf("Process(%d) = %v", pid, p)
		}
	}
	if p := snap.Process(4243); p != nil {
		t.Errorf("Process(4243) = %v, want nil: 4243 is a thread of 4242", p)
	}
	want := snap.Viewer
	if want.NS.Ino != fxHostNS || want.Initial != KnownFlag(true) || want.Err != "" {
		t.Errorf("Viewer = %+v, want NS %d, initial, no error", want, fxHostNS)
	}

	tests := []struct {
		pid     int
		name    string
		cmdline []string
		start   uint64
		state   byte
		ns      uint64
		note    string // prefix of NSNote
	}{
		{1, "systemd", []string{"/sbin/init", "splash"}, 2, 'S', fxHostNS, ""},
		{4242, "myinit", []string{"/myinit", "--serve"}, 987654, 'S', fxCtNS, ""},
		{4300, "defunct", nil, 0, 'Z', fxCtNS, ""},
		{5010, "sleep", []string{"sleep", "1000"}, 0, 'S', fxNestedNS, ""},
		// Missing ns/pid links: inferred, never dropped, never a crash.
		{9000, "nons", []string{"nons"}, 0, 'S', fxHostNS, "inferred (no ns/pid link): NSpid has one level"},
		{4270, "worker", []string{"worker"}, 0, 'S', fxCtNS, "inferred (no ns/pid link): same namespace level as its parent"},
		{8000, "\x1b[31mevil\x1b[0m", []string{"\x1b]0;pwned\x07", "--x"}, 0, 'S', fxHostNS, ""},
		{8001, "bad\xff\xfename", []string{"caf\xe9", "\xc3\x28"}, 0, 'S', fxHostNS, ""},
	}
	for _, tt := range tests {
		p := snap.Process(tt.pid)
		if p == nil {
			t.Errorf("PID %d missing", tt.pid)
			continue
		}
		if p.Name() != tt.name {
			t.Errorf("PID %d: Name() = %q, want %q", tt.pid, p.Name(), tt.name)
		}
		// The command line and start time are read for every process shown
		// in detail: each namespace init in a scan, and ReadOne's target.
		full := p
		if p.Deep == nil {
			if full, err = sc.ReadOne(tt.pid); err != nil {
				t.Errorf("ReadOne(%d) error: %v", tt.pid, err)
				continue
			}
		}
		if !cmp.Equal(full.Cmdline, tt.cmdline) {
			t.Errorf("PID %d: Cmdline = %q, want %q", tt.pid, full.Cmdline, tt.cmdline)
		}
		if full.StartTime != tt.start {
			t.Errorf("PID %d: StartTime = %d, want %d", tt.pid, full.StartTime, tt.start)
		}
		if p.Status.State != tt.state {
			t.Errorf("PID %d: State = %q, want %q", tt.pid, p.Status.State, tt.state)
		}
		if p.NS.Ino != tt.ns {
			t.Errorf("PID %d: NS = %v, want %d", tt.pid, p.NS, tt.ns)
		}
		if !strings.HasPrefix(p.NSNote, tt.note) || (tt.note == "" && p.NSNote != "") {
			t.Errorf("PID %d: NSNote = %q, want prefix %q", tt.pid, p.NSNote, tt.note)
		}
	}

	// The malformed process keeps its readable facts; the bad ones are unknown.
	bad := snap.Process(7000)
	if bad == nil {
		t.Fatal("PID 7000 (malformed status) missing")
	}
	wantProblems := []string{`malformed NSpid line "7000\tabc"`, `malformed SigBlk line "zzzzzzzzzzzzzzzz"`, `malformed SigIgn line "1000"`}
	if diff := cmp.Diff(wantProblems, bad.Status.Problems); diff != "" {
		t.Errorf("PID 7000 problems mismatch (-want +got):\n%s", diff)
	}
	if bad.Status.SigBlk.Known || bad.Status.SigIgn.Known || !bad.Status.SigCgt.Known || bad.Status.NSpid != nil {
		t.Errorf("PID 7000: SigBlk %+v SigIgn %+v SigCgt %+v NSpid %v; want the malformed ones unknown", bad.Status.SigBlk,
			bad.Status.SigIgn, bad.Status.SigCgt, bad.Status.NSpid)
	}

	// gVisor-style: every mask unknown, not 0.
	gv := snap.Process(6000).Status
	for name, m := range map[string]Mask{"SigPnd": gv.SigPnd, "ShdPnd": gv.ShdPnd, "SigBlk": gv.SigBlk, "SigIgn": gv.SigIgn, "SigCgt": gv.SigCgt} {
		if m.Known {
			t.Errorf("PID 6000 (no Sig* lines): %s = %+v, want unknown", name, m)
		}
	}
}

func TestScanFixtureDeep(t *testing.T) {
	snap := fxScan(t)
	for _, p := range snap.Processes {
		isInit, _ := p.Status.IsInit()
		// Namespace inits are read in depth, and so are the children of a
		// forwarding init (5000 is catatonit, 5010 its child).
		want := isInit || p.PID == 5010
		if got := p.Deep != nil; got != want {
			t.Errorf("PID %d: Deep read = %v, want %v (namespace inits and a forwarder's children)", p.PID, got, want)
		}
		if p.Deep != nil && isInit && (p.Deep.Gone || p.Deep.ThreadsErr != "" || p.Deep.FDErr != "") {
			t.Errorf("PID %d: Deep = Gone %v, ThreadsErr %q, FDErr %q; want it all read", p.PID, p.Deep.Gone, p.Deep.ThreadsErr, p.Deep.FDErr)
		}
	}

	// The multi-threaded container init: a leader in wait4, a worker in
	// rt_sigtimedwait whose set cannot be read from a fixture.
	d := snap.Process(4242).Deep
	if d == nil {
		t.Fatal("PID 4242: Deep not read")
	}
	var tids []int
	for _, th := range d.Threads {
		tids = append(tids, th.TID)
	}
	if !cmp.Equal(tids, []int{4242, 4243}) {
		t.Fatalf("PID 4242 threads = %v, want [4242 4243]", tids)
	}
	leader, worker := d.Threads[0], d.Threads[1]
	if leader.Syscall != 61 || leader.Wchan != "do_wait" || leader.Sigwait != KnownFlag(false) {
		t.Errorf("thread 4242: Syscall %d Wchan %q Sigwait %+v; want 61, do_wait, known false", leader.Syscall, leader.Wchan, leader.Sigwait)
	}
	if leader.Status.SigBlk != KnownMask(0x4002) || worker.Status.SigBlk != KnownMask(0) {
		t.Errorf("per-thread SigBlk = %+v, %+v; want 0x4002 and 0", leader.Status.SigBlk, worker.Status.SigBlk)
	}
	if worker.Status.Name != "sigwait" || !cmp.Equal(worker.Status.NSpid, []int{4243, 2}) {
		t.Errorf("thread 4243 status: Name %q NSpid %v", worker.Status.Name, worker.Status.NSpid)
	}
	if worker.Syscall != sysRtSigtimedwait || worker.Wchan != "do_sigtimedwait.isra.0" || worker.Sigwait != KnownFlag(true) {
		t.Errorf("thread 4243: Syscall %d Wchan %q Sigwait %+v; want 128, do_sigtimedwait.isra.0, known true",
			worker.Syscall, worker.Wchan, worker.Sigwait)
	}
	if worker.WaitSet.Known || worker.WaitSetErr == "" {
		t.Errorf("thread 4243: WaitSet %+v, WaitSetErr %q; want unknown with a reason (no memory to read in a fixture)", worker.WaitSet, worker.WaitSetErr)
	}
	wantCons := []Consumer{{Kind: "sigtimedwait", TID: 4243, FD: -1}}
	if diff := cmp.Diff(wantCons, d.Consumers); diff != "" {
		t.Errorf("PID 4242 consumers mismatch (-want +got):\n%s", diff)
	}

	// The nested init reads INT and TERM from signalfd 3.
	d = snap.Process(5000).Deep
	wantCons = []Consumer{{Kind: "signalfd", TID: 5000, FD: 3, Set: KnownMask(0x4002)}}
	if diff := cmp.Diff(wantCons, d.Consumers); diff != "" {
		t.Errorf("PID 5000 consumers mismatch (-want +got):\n%s", diff)
	}
	if len(d.Threads) != 1 || d.Threads[0].Syscall != 0 || d.Threads[0].Sigwait != KnownFlag(false) {
		t.Errorf("PID 5000 threads = %+v, want one thread in read(2), not in sigtimedwait", d.Threads)
	}

	// No exe link in a fixture: Go-ness is unknown, not false.
	if g := snap.Process(1).Deep.Go; g.Known {
		t.Errorf("PID 1: Deep.Go = %+v, want unknown without an exe link", g)
	}
}

func TestScanFixtureWarnings(t *testing.T) {
	snap := fxScan(t)
	has := func(sub string) bool {
		for _, w := range snap.Warnings {
			if strings.Contains(w, sub) {
				return true
			}
		}
		return false
	}
	for _, sub := range []string{"malformed status line", "PID 7000", "PID 4242 thread 4243"} {
		if !has(sub) {
			t.Errorf("Warnings = %q, want one mentioning %q", snap.Warnings, sub)
		}
	}
	if has("unidentified") {
		t.Errorf("Warnings = %q: every process's namespace is known or inferred in the fixture", snap.Warnings)
	}
	// A count in a warning counts processes: only PID 7000 has malformed
	// lines, even though it has three of them.
	bad := 0
	for _, p := range snap.Processes {
		if len(p.Status.Problems) > 0 {
			bad++
		}
	}
	re := regexp.MustCompile(`^malformed status lines? \((\d+) processes`)
	for _, w := range snap.Warnings {
		if m := re.FindStringSubmatch(w); m != nil {
			if n, _ := strconv.Atoi(m[1]); n != bad {
				t.Errorf("warning %q counts %d processes, but %d process has malformed lines", w, n, bad)
			}
		}
	}
}

func TestScanViewer(t *testing.T) {
	tests := []struct {
		self    string
		ino     uint64
		initial Flag
		err     bool
	}{
		{fxSelfNS, fxHostNS, KnownFlag(true), false},
		{"testdata/proc/4242/ns/pid", fxCtNS, KnownFlag(false), false},
		{"testdata/proc/9000/ns/pid", 0, Flag{}, true}, // no such link
	}
	for _, tt := range tests {
		snap, err := Scanner{Root: fxRoot, SelfNS: tt.self}.Scan()
		if err != nil {
			t.Fatalf("Scan with SelfNS %q: %v", tt.self, err)
		}
		v := snap.Viewer
		if v.NS.Ino != tt.ino || v.Initial != tt.initial || (v.Err != "") != tt.err {
			t.Errorf("SelfNS %q: Viewer = %+v, want NS %d, Initial %+v, error %v", tt.self, v, tt.ino, tt.initial, tt.err)
		}
	}
}

func TestScanBadRoot(t *testing.T) {
	for _, root := range []string{"testdata/no-such-dir", "testdata/proc/1/status"} {
		if snap, err := (Scanner{Root: root, SelfNS: fxSelfNS}).Scan(); err == nil {
			t.Errorf("Scanner{Root: %q}.Scan() = %d processes, nil; want an error", root, len(snap.Processes))
		}
	}
}

func TestReadOneFixture(t *testing.T) {
	sc := Scanner{Root: fxRoot, SelfNS: fxSelfNS}
	p, err := sc.ReadOne(5000)
	if err != nil {
		t.Fatalf("ReadOne(5000) error: %v", err)
	}
	if p.NS.Ino != fxNestedNS || p.Deep == nil || len(p.Deep.Consumers) != 1 {
		t.Errorf("ReadOne(5000) = NS %v, Deep %+v; want namespace %d with one signalfd", p.NS, p.Deep, fxNestedNS)
	}
	if _, err := sc.ReadOne(31337); !errors.Is(err, ErrGone) {
		t.Errorf("ReadOne(31337) error = %v, want ErrGone", err)
	}
}
