package procinspect_test

import (
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
	"github.com/sigview/sigview/procinspect"
)

// TestRescanResolvedThroughExitedAsNonRoot (review 4, R1): the scanner as uid
// 65534; a namespace resolved through a readable non-init process that then
// exits is named as a full scan names it ("init PID I"), not by the kept inode.
func TestRescanResolvedThroughExitedAsNonRoot(t *testing.T) {
	if dir := os.Getenv("SIGVIEW_RESOLVED_SCANNER"); dir != "" {
		resolvedScanner(t, dir)
		return
	}
	if os.Getenv("SIGVIEW_RESOLVED_INNER") != "" {
		resolvedInside(t)
		return
	}
	nstest.NeedNamespaces(t)
	nstest.RerunAsInit(t, "TestRescanResolvedThroughExitedAsNonRoot", 120*time.Second, "", "SIGVIEW_RESOLVED_INNER=1")
}

func resolvedInside(t *testing.T) {
	nstest.BecomeProcInit(t)
	dir, exe := nobodyDir(t, "a", "b")
	py := `import ctypes, time
ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
time.sleep(1000)`
	script := `sleep 1000 &
read x < "$1/a"
setpriv --reuid 65534 --regid 65534 --clear-groups sh -c 'python3 -c "$0" & wait' "$2" &
read x < "$1/b"
kill $!
wait`
	init := exec.Command("sh", "-c", script, "sh", dir, py)
	init.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	if err := init.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { init.Process.Kill(); init.Wait() }()
	time.Sleep(300 * time.Millisecond)
	scanAsNobody(t, exe, "TestRescanResolvedThroughExitedAsNonRoot", "SIGVIEW_RESOLVED_SCANNER="+dir, "SIGVIEW_RESOLVED_INIT="+strconv.Itoa(init.Process.Pid))
}

func resolvedScanner(t *testing.T, dir string) {
	initPID, _ := strconv.Atoi(os.Getenv("SIGVIEW_RESOLVED_INIT"))
	sc := procinspect.Scanner{Root: "/proc"}
	scan := func(prev *procinspect.Snapshot) *procinspect.Snapshot { return scanOn(t, sc, prev) }
	os.WriteFile(filepath.Join(dir, "a"), []byte("x\n"), 0)
	pyPID := 0
	ppid := func() string {
		st, _ := os.ReadFile("/proc/" + strconv.Itoa(pyPID) + "/status")
		for _, l := range strings.Split(string(st), "\n") {
			if strings.HasPrefix(l, "PPid:") {
				return strings.TrimSpace(l[5:])
			}
		}
		return ""
	}
	waitUntil(t, "python", func() bool {
		es, _ := os.ReadDir("/proc")
		for _, e := range es {
			st, _ := os.ReadFile("/proc/" + e.Name() + "/status")
			if strings.HasPrefix(string(st), "Name:\tpython3\n") {
				pyPID, _ = strconv.Atoi(e.Name())
				_, err := os.Readlink("/proc/" + e.Name() + "/ns/pid")
				return err != nil
			}
		}
		return false
	})
	first := scan(nil)
	p := first.Process(pyPID)
	t.Logf("first: init NS %v; python %d NS %v note %q", first.Process(initPID).NS, pyPID, p.NS, p.NSNote)
	os.WriteFile(filepath.Join(dir, "b"), []byte("x\n"), 0)
	waitUntil(t, "python reparented", func() bool { return ppid() == strconv.Itoa(initPID) })
	inc, full := scan(first), scan(nil)
	t.Logf("inc: init NS %v python NS %v; full: init NS %v python NS %v (%q)", inc.Process(initPID).NS, inc.Process(pyPID).NS, full.Process(initPID).NS, full.Process(pyPID).NS, full.Process(pyPID).NSNote)
	rest, deep := compareScans(inc, full)
	for _, d := range slices.Concat(rest, deep) {
		t.Errorf("after the readable parent exited: %s", d)
	}
}

// TestRescanInitBecomesReadableAsNonRoot (review 4, R2): a root-owned init
// that execs as the viewer's uid reads on a rescan: named by its inode, as a
// full scan names it.
func TestRescanInitBecomesReadableAsNonRoot(t *testing.T) {
	if dir := os.Getenv("SIGVIEW_READABLE_SCANNER"); dir != "" {
		readableScanner(t, dir)
		return
	}
	if os.Getenv("SIGVIEW_READABLE_INNER") != "" {
		readableInside(t)
		return
	}
	nstest.NeedNamespaces(t)
	nstest.RerunAsInit(t, "TestRescanInitBecomesReadableAsNonRoot", 120*time.Second, "", "SIGVIEW_READABLE_INNER=1")
}

func readableInside(t *testing.T) {
	nstest.BecomeProcInit(t)
	dir, exe := nobodyDir(t, "a")
	script := `sleep 1000 &
read x < "$1/a"
exec setpriv --reuid 65534 --regid 65534 --clear-groups sleep 1000`
	init := exec.Command("sh", "-c", script, "sh", dir)
	init.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	if err := init.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { init.Process.Kill(); init.Wait() }()
	time.Sleep(300 * time.Millisecond)
	scanAsNobody(t, exe, "TestRescanInitBecomesReadableAsNonRoot", "SIGVIEW_READABLE_SCANNER="+dir, "SIGVIEW_READABLE_INIT="+strconv.Itoa(init.Process.Pid))
}

func readableScanner(t *testing.T, dir string) {
	initPID, _ := strconv.Atoi(os.Getenv("SIGVIEW_READABLE_INIT"))
	sc := procinspect.Scanner{Root: "/proc"}
	scan := func(prev *procinspect.Snapshot) *procinspect.Snapshot { return scanOn(t, sc, prev) }
	first := scan(nil)
	t.Logf("first: init NS %v", first.Process(initPID).NS)
	os.WriteFile(filepath.Join(dir, "a"), []byte("x\n"), 0)
	waitUntil(t, "init readable", func() bool {
		_, err := os.Readlink("/proc/" + strconv.Itoa(initPID) + "/ns/pid")
		return err == nil
	})
	inc := scan(first)
	inc = scan(inc)
	full := scan(nil)
	t.Logf("inc: init NS %v; full: init NS %v", inc.Process(initPID).NS, full.Process(initPID).NS)
	rest, deep := compareScans(inc, full)
	for _, d := range slices.Concat(rest, deep) {
		t.Errorf("after the init became readable: %s", d)
	}
}
