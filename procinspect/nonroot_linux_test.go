package procinspect_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect"
)

// TestRescanInfersAsNonRoot: a viewer that cannot read a namespace init's
// ns/pid names the namespace by the init's PID (inferNS) until a process
// of its own is born there, whose link gives the inode; when that process
// exits, the name is the init's PID again. A rescan that builds on the
// last snapshot (Scanner.Prev) must say what a full scan says at each
// step: kept, the init's name split the namespace in two (the init and its
// old children under "init PID I", the newcomer under the inode, with no
// init), and a learned inode outlived the process it was learned through.
//
// It re-runs itself as PID 1 of a new PID namespace with a private procfs;
// there a root-owned shell is the init of a namespace of its own, and the
// scanning side is this test binary again as uid 65534.
func TestRescanInfersAsNonRoot(t *testing.T) {
	if dir := os.Getenv("SIGVIEW_NONROOT_SCANNER"); dir != "" {
		nonRootScanner(t, dir)
		return
	}
	if os.Getenv("SIGVIEW_NONROOT_INNER") != "" {
		nonRootInside(t)
		return
	}
	nstest.NeedNamespaces(t)
	for _, c := range []string{"setpriv", "sh", "sleep"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("this test needs %s: %v", c, err)
		}
	}
	nstest.RerunAsInit(t, "TestRescanInfersAsNonRoot", 120*time.Second, "", "SIGVIEW_NONROOT_INNER=1")
}

func nonRootInside(t *testing.T) {
	nstest.BecomeProcInit(t)
	dir, exe := nobodyDir(t, "a", "b")
	// The namespace's init, root's: a child of its own; on the first word
	// in fifo a, a process of uid 65534 (setpriv execs sleep: dumpable
	// again, its ns/pid readable by its owner); on the first in b, that
	// process killed and reaped.
	script := `sleep 1000 &
read x < "$1/a"
setpriv --reuid 65534 --regid 65534 --clear-groups sleep 1000 &
read x < "$1/b"
kill $!
wait`
	init := startInit(t, "sh", "-c", script, "sh", dir)
	kids := "/proc/" + strconv.Itoa(init.Process.Pid) + "/task/" + strconv.Itoa(init.Process.Pid) + "/children"
	waitUntil(t, "the init's first child", func() bool {
		b, _ := os.ReadFile(kids)
		f := strings.Fields(string(b))
		if len(f) != 1 {
			return false
		}
		c, _ := os.ReadFile("/proc/" + f[0] + "/comm")
		return string(c) == "sleep\n"
	})
	scanAsNobody(t, exe, "TestRescanInfersAsNonRoot", "SIGVIEW_NONROOT_SCANNER="+dir, "SIGVIEW_NONROOT_INIT="+strconv.Itoa(init.Process.Pid))
}

// waitUntil polls ok for up to 10 s.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

func nonRootScanner(t *testing.T, dir string) {
	initPID, _ := strconv.Atoi(os.Getenv("SIGVIEW_NONROOT_INIT"))
	sc := procinspect.Scanner{Root: "/proc"}
	scan := func(prev *procinspect.Snapshot) *procinspect.Snapshot { t.Helper(); return scanOn(t, sc, prev) }
	nsOf := func(s *procinspect.Snapshot) nsutil.NSID {
		t.Helper()
		p := s.Process(initPID)
		if p == nil {
			t.Fatalf("the init, PID %d, is not in the snapshot", initPID)
		}
		return p.NS
	}
	compare := func(step string, got, want *procinspect.Snapshot) {
		t.Helper()
		rest, deep := compareScans(got, want)
		for _, d := range slices.Concat(rest, deep) {
			t.Errorf("%s: %s", step, d)
		}
	}
	first := scan(nil)
	if id := nsOf(first); id != nsutil.ByInit(initPID) {
		t.Fatalf("the init's namespace as uid 65534 before a process of its own is there: %v, want it named by the init", id)
	}
	// A process of uid 65534 is born in the namespace.
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("x\n"), 0); err != nil {
		t.Fatal(err)
	}
	// The shell knows it by its PID in the namespace; this procfs, by the
	// init's children.
	var newPID int
	kids := "/proc/" + strconv.Itoa(initPID) + "/task/" + strconv.Itoa(initPID) + "/children"
	waitUntil(t, "the process of uid 65534", func() bool {
		b, _ := os.ReadFile(kids)
		for _, f := range strings.Fields(string(b)) {
			st, _ := os.ReadFile("/proc/" + f + "/status")
			if strings.HasPrefix(string(st), "Name:\tsleep\n") && strings.Contains(string(st), "\nUid:\t65534\t") {
				newPID, _ = strconv.Atoi(f)
				return true
			}
		}
		return false
	})
	inc, full := scan(first), scan(nil)
	if id := nsOf(full); !id.HasInode() {
		t.Fatalf("a full scan with PID %d (uid 65534) in the namespace: the init's namespace %v, want its inode", newPID, id)
	}
	compare("a process of the viewer's born in the namespace", inc, full)
	// It exits: the inode is known no more.
	if err := os.WriteFile(filepath.Join(dir, "b"), []byte("x\n"), 0); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the end of the process of uid 65534", func() bool {
		_, err := os.Stat("/proc/" + strconv.Itoa(newPID))
		return err != nil
	})
	inc2, incFull, full2 := scan(inc), scan(full), scan(nil)
	if id := nsOf(full2); id != nsutil.ByInit(initPID) {
		t.Fatalf("a full scan after PID %d exited: the init's namespace %v, want it named by the init", newPID, id)
	}
	compare("after it exits (rescans all along)", inc2, full2)
	compare("after it exits (a rescan of the full scan that learned the inode)", incFull, full2)
	t.Logf("the init's namespace: %v, then %v, then %v", nsOf(first), nsOf(full), nsOf(full2))
}

// TestRescanHidepidNoAccess: on a procfs mounted hidepid=1 (noaccess),
// a process the viewer could read becomes closed to it (here it makes
// itself not dumpable) while the listing still names it. A full scan
// omits it and warns; a rescan that builds on the last snapshot must too,
// not carry the last reading. It re-runs itself as PID 1 of a new PID
// namespace whose private procfs is mounted hidepid=1; the scanning side
// is this test binary again as uid 65534.
func TestRescanHidepidNoAccess(t *testing.T) {
	if dir := os.Getenv("SIGVIEW_HIDEPID_SCANNER"); dir != "" {
		hidepidScanner(t, dir)
		return
	}
	if os.Getenv("SIGVIEW_HIDEPID_INNER") != "" {
		hidepidInside(t)
		return
	}
	nstest.NeedNamespaces(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("this test needs python3 (CI installs it): %v", err)
	}
	nstest.RerunAsInit(t, "TestRescanHidepidNoAccess", 120*time.Second, "", "SIGVIEW_HIDEPID_INNER=1")
}

func hidepidInside(t *testing.T) {
	nstest.BecomeProcInit(t)
	if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, "hidepid=1"); err != nil {
		t.Fatalf("mount a procfs with hidepid=1: %v", err)
	}
	dir, exe := nobodyDir(t, "a")
	// uid 65534's process, readable by its owner until the first word in
	// fifo a, the child of a shell of uid 65534 (readable: a parent the
	// rescan cannot read would have it read again anyway).
	script := `import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
open(sys.argv[1]).read()
libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
time.sleep(1000)`
	sh := exec.Command("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
		"sh", "-c", `python3 -c "$0" "$1" & wait`, script, filepath.Join(dir, "a"))
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		sh.Process.Kill()
		sh.Wait()
	}()
	kids := "/proc/" + strconv.Itoa(sh.Process.Pid) + "/task/" + strconv.Itoa(sh.Process.Pid) + "/children"
	pid := 0
	waitUntil(t, "python3 as uid 65534", func() bool {
		b, _ := os.ReadFile(kids)
		f := strings.Fields(string(b))
		if len(f) != 1 {
			return false
		}
		st, _ := os.ReadFile("/proc/" + f[0] + "/status")
		pid, _ = strconv.Atoi(f[0])
		return strings.HasPrefix(string(st), "Name:\tpython3\n")
	})
	// python3 outlives sh's kill: adopted by this PID 1, it dies with
	// this PID namespace when the test ends.
	scanAsNobody(t, exe, "TestRescanHidepidNoAccess", "SIGVIEW_HIDEPID_SCANNER="+dir, "SIGVIEW_HIDEPID_PID="+strconv.Itoa(pid))
}

func hidepidScanner(t *testing.T, dir string) {
	pid, _ := strconv.Atoi(os.Getenv("SIGVIEW_HIDEPID_PID"))
	sc := procinspect.Scanner{Root: "/proc"}
	first, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if first.Hidden == "" || first.Process(pid) == nil {
		t.Fatalf("as uid 65534 on a procfs mounted hidepid=1: hidden %q, PID %d read: %v; want both", first.Hidden, pid, first.Process(pid) != nil)
	}
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("x\n"), 0); err != nil {
		t.Fatal(err)
	}
	status := "/proc/" + strconv.Itoa(pid) + "/status"
	waitUntil(t, "PID "+strconv.Itoa(pid)+" closed", func() bool {
		_, err := os.ReadFile(status)
		return err != nil
	})
	s := sc
	s.Prev = first
	got, err := s.Scan()
	if err != nil {
		t.Fatal(err)
	}
	want, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if want.Process(pid) != nil {
		t.Fatalf("a full scan reads PID %d, closed to it", pid)
	}
	rest, deep := compareScans(got, want)
	for _, d := range slices.Concat(rest, deep) {
		t.Error(d)
	}
}

// TestWarningsInPIDOrderAsNonRoot: a warning names the first process it
// was noted for, and two scans of processes at rest name the same one,
// the lowest PID. Found by TestRescanUnderChurnAsNobody: the processes
// read in depth were read in a map's order, so as uid 65534, which cannot
// read root's fd tables, the "unreadable fd table" warning named a random
// init's, in a full scan as in a rescan. It re-runs itself as PID 1 of a
// new PID namespace with a private procfs, starts root's namespace inits
// there (each read in depth) and scans them as uid 65534.
func TestWarningsInPIDOrderAsNonRoot(t *testing.T) {
	if os.Getenv("SIGVIEW_PIDORDER_SCANNER") != "" {
		pidOrderScanner(t)
		return
	}
	if os.Getenv("SIGVIEW_PIDORDER_INNER") != "" {
		pidOrderInside(t)
		return
	}
	nstest.NeedNamespaces(t)
	nstest.RerunAsInit(t, "TestWarningsInPIDOrderAsNonRoot", 120*time.Second, "", "SIGVIEW_PIDORDER_INNER=1")
}

func pidOrderInside(t *testing.T) {
	nstest.BecomeProcInit(t)
	_, exe := nobodyDir(t)
	for range 6 {
		startInit(t, "sleep", "1000")
	}
	scanAsNobody(t, exe, "TestWarningsInPIDOrderAsNonRoot", "SIGVIEW_PIDORDER_SCANNER=1")
}

func pidOrderScanner(t *testing.T) {
	// Every process in depth, its fd table read (the detail view's).
	sc := procinspect.Scanner{Root: "/proc"}
	for _, p := range scanOn(t, sc, nil).Processes {
		sc.Deep = append(sc.Deep, p.PID)
	}
	for range 8 {
		snap := scanOn(t, sc, nil)
		first := 0
		for _, p := range snap.Processes {
			if p.Deep != nil && p.Deep.FDErr != "" && (first == 0 || p.PID < first) {
				first = p.PID
			}
		}
		want := fmt.Sprintf("first: /proc/%d/fd: ", first)
		i := slices.IndexFunc(snap.Warnings, func(w string) bool { return strings.HasPrefix(w, "unreadable fd table") })
		switch {
		case first == 0 || i < 0:
			t.Fatalf("as uid 65534, no unreadable fd table of root's inits (lowest PID %d): warnings %q", first, snap.Warnings)
		case !strings.Contains(snap.Warnings[i], want):
			t.Fatalf("%q, want the lowest PID whose fd table is unreadable (%s)", snap.Warnings[i], want)
		}
	}
}

// TestRescanLinkClosedAsNonRoot: a process of the viewer's whose ns/pid
// read makes itself not dumpable, and its link is closed to the viewer
// from then on. A full scan no longer reads it: the namespace of a root
// init above it is named by the init again (inferNS), and a namespace
// whose init it is, by its PID. A rescan must say the same, not keep the
// inode it read while the link was open. It re-runs itself as PID 1 of a
// new PID namespace with a private procfs, where a python3 of uid 65534 is
// the child of a root-owned init and another the init of its own
// namespace; the scanning side is this test binary again as uid 65534.
func TestRescanLinkClosedAsNonRoot(t *testing.T) {
	if dir := os.Getenv("SIGVIEW_CLOSED_SCANNER"); dir != "" {
		linkClosedScanner(t, dir)
		return
	}
	if os.Getenv("SIGVIEW_CLOSED_INNER") != "" {
		nstest.BecomeProcInit(t)
		dir, exe := nobodyDir(t)
		// Both python3s make themselves not dumpable once the file
		// "close" is in dir.
		script := `import ctypes, os, sys, time
while not os.path.exists(sys.argv[1]): time.sleep(0.01)
ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
time.sleep(1000)`
		closeAt := filepath.Join(dir, "close")
		nobody := []string{"setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", python3, "-c", script, closeAt}
		startInit(t, append([]string{"sh", "-c", `sleep 1000 & "$@" & wait`, "sh"}, nobody...)...)
		startInit(t, nobody...)
		scanAsNobody(t, exe, "TestRescanLinkClosedAsNonRoot", "SIGVIEW_CLOSED_SCANNER="+dir)
		return
	}
	nstest.NeedNamespaces(t)
	for _, c := range []string{"setpriv", "sh", "sleep", python3} {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("this test needs %s (CI installs it): %v", c, err)
		}
	}
	nstest.RerunAsInit(t, "TestRescanLinkClosedAsNonRoot", 120*time.Second, "", "SIGVIEW_CLOSED_INNER=1")
}

func linkClosedScanner(t *testing.T, dir string) {
	sc := procinspect.Scanner{Root: "/proc"}
	// The two python3s of uid 65534, once both links have been read.
	var first *procinspect.Snapshot
	var pys []*procinspect.Process
	waitUntil(t, "the python3s of uid 65534, their ns/pid read", func() bool {
		first, pys = scanOn(t, sc, nil), nil
		for _, p := range first.Processes {
			if p.Name() == "python3" && p.Status.Uid.V[0] == 65534 && p.NS.HasInode() {
				pys = append(pys, p)
			}
		}
		return len(pys) == 2
	})
	if err := os.WriteFile(filepath.Join(dir, "close"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range pys {
		waitUntil(t, "PID "+strconv.Itoa(p.PID)+"'s ns/pid closed", func() bool {
			_, err := os.Readlink("/proc/" + strconv.Itoa(p.PID) + "/ns/pid")
			return err != nil
		})
	}
	inc, full := scanOn(t, sc, first), scanOn(t, sc, nil)
	for _, p := range pys {
		if f := full.Process(p.PID); f == nil || f.NS.HasInode() {
			t.Fatalf("a full scan after PID %d closed its ns/pid: %+v, want its namespace inferred", p.PID, f)
		}
	}
	rest, deep := compareScans(inc, full)
	for _, d := range slices.Concat(rest, deep) {
		t.Error(d)
	}
}

// TestRescanLevel0WitnessGoneAsNonRoot: a viewer that is not in the
// procfs' level 0 (a container given the host's /proc; here a PID
// namespace of its own) and not root reads level 0's inode only from a
// process of its own there. While that process lives, root's level-0
// processes take the inode from it (resolveNS); once it exits, a full scan
// infers level 0 (named by PID 1). A rescan must too, not keep the inode
// it took. It re-runs itself as PID 1 of a new PID namespace with a
// private procfs, starts a sleep of uid 65534 and one of root's there, and
// scans as uid 65534 from a PID namespace below.
func TestRescanLevel0WitnessGoneAsNonRoot(t *testing.T) {
	if os.Getenv("SIGVIEW_LEVEL0_SCANNER") != "" {
		level0Scanner(t)
		return
	}
	if os.Getenv("SIGVIEW_LEVEL0_INNER") != "" {
		level0Inside(t)
		return
	}
	nstest.NeedNamespaces(t)
	for _, c := range []string{"setpriv", "sleep"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("this test needs %s: %v", c, err)
		}
	}
	nstest.RerunAsInit(t, "TestRescanLevel0WitnessGoneAsNonRoot", 120*time.Second, "", "SIGVIEW_LEVEL0_INNER=1")
}

func level0Inside(t *testing.T) {
	nstest.BecomeProcInit(t)
	_, exe := nobodyDir(t)
	root := exec.Command("sleep", "1000")
	if err := root.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		root.Process.Kill()
		root.Wait()
	}()
	// The witness: gone after a second, reaped at once.
	witness := exec.Command("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "sleep", "1")
	if err := witness.Start(); err != nil {
		t.Fatal(err)
	}
	go witness.Wait()
	cmd := nobodyCmd(exe, "TestRescanLevel0WitnessGoneAsNonRoot", "SIGVIEW_LEVEL0_SCANNER=1", "SIGVIEW_LEVEL0_WITNESS="+strconv.Itoa(witness.Process.Pid))
	cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWPID
	out, err := cmd.CombinedOutput()
	passedAsNobody(t, "TestRescanLevel0WitnessGoneAsNonRoot", out, err)
}

func level0Scanner(t *testing.T) {
	sc := procinspect.Scanner{Root: "/proc"}
	pid, _ := strconv.Atoi(os.Getenv("SIGVIEW_LEVEL0_WITNESS"))
	first := scanOn(t, sc, nil)
	if w := first.Process(pid); w == nil || !w.NS.HasInode() || first.Process(1).NS != w.NS {
		t.Fatalf("level 0 with PID %d of uid 65534 there: PID 1 in %v, PID %d: %+v; want the witness's inode", pid, first.Process(1).NS, pid, w)
	}
	waitUntil(t, "the end of PID "+strconv.Itoa(pid), func() bool {
		_, err := os.Stat("/proc/" + strconv.Itoa(pid))
		return err != nil
	})
	inc, full := scanOn(t, sc, first), scanOn(t, sc, nil)
	if full.Process(1).NS.HasInode() {
		t.Fatalf("a full scan after PID %d exited: level 0 is %v, want it inferred", pid, full.Process(1).NS)
	}
	rest, deep := compareScans(inc, full)
	for _, d := range slices.Concat(rest, deep) {
		t.Error(d)
	}
}
