package procinspect_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestRescanTIDReuse: a thread that exits and a new thread given its TID
// are two threads. The new one must not inherit the old one's wait in a
// rescan (reuse.go: quietThread), even when its switch counts are the ones
// the old thread had. The test runs itself as PID 1 of new PID and mount
// namespaces, and starts in a PID and mount namespace of its own a
// namespace init (testdata/threads/tidreuse.c) with thread A asleep in
// pause(2); A exits and a new thread B, given A's TID, waits for SIGTERM
// in sigwait. The scans read the init's own procfs (/proc/PID/root/proc),
// whose TIDs are allocated only to its threads, and the init sets that
// namespace's ns_last_pid itself just before making B, once A's task is
// gone (and makes B again if A's TID was not free yet: it is freed a
// moment after the task leaves procfs): B gets A's TID whatever else
// runs. (The test's own namespace holds Go's threads, which may be made
// at any time; counted there, one once took the freed TID.) A rescan built on
// the reading with A must say what a full scan says: B waits for SIGTERM,
// which it consumes.
func TestRescanTIDReuse(t *testing.T) {
	if os.Getenv("SIGVIEW_TIDREUSE_INNER") != "" {
		tidReuseInside(t, os.Getenv("SIGVIEW_TIDREUSE_PROG"))
		return
	}
	nstest.NeedNamespaces(t)
	prog := threadsProg(t, "tidreuse")
	nstest.RerunAsInit(t, "TestRescanTIDReuse", 60*time.Second, "", "SIGVIEW_TIDREUSE_INNER=1", "SIGVIEW_TIDREUSE_PROG="+prog)
}

func tidReuseInside(t *testing.T, prog string) {
	nstest.BecomeProcInit(t)
	tidReuseOnce(t, prog)
}

// tidReuseOnce runs the scenario.
func tidReuseOnce(t *testing.T, prog string) {
	cmd := exec.Command(prog)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }() // through Go's pidfd
	// Its own procfs, which it mounts before it says "A": there it is PID 1.
	procfs, pid := "/proc/"+strconv.Itoa(cmd.Process.Pid)+"/root/proc", 1
	rd := bufio.NewReader(outp)
	line := func(want string) {
		t.Helper()
		l, err := rd.ReadString('\n')
		if err != nil || !strings.HasPrefix(l, want) {
			t.Fatalf("tidreuse said %q, %v; want %q", l, err, want)
		}
	}
	line("A ")
	task := func(tid int) string { return procfs + "/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) }
	tids := func() []int {
		ents, _ := os.ReadDir(procfs + "/" + strconv.Itoa(pid) + "/task")
		var out []int
		for _, e := range ents {
			n, _ := strconv.Atoi(e.Name())
			out = append(out, n)
		}
		return out
	}
	atid := 0
	for _, x := range tids() {
		if x != pid {
			atid = x
		}
	}
	// asleep waits until thread tid sleeps with wchan read, in syscall nr.
	asleep := func(tid int, nr string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			sc, _ := os.ReadFile(task(tid) + "/syscall")
			wc, _ := os.ReadFile(task(tid) + "/wchan")
			st, _ := procinspect.ReadStatus(task(tid) + "/status")
			if strings.HasPrefix(string(sc), nr+" ") && len(wc) > 0 && string(wc) != "0" && st.State == 'S' {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("thread %d not asleep in syscall %s within 10 s: %q", tid, nr, sc)
			}
		}
	}
	// glibc's pause(): pause(2) on amd64 (SYS_PAUSE, 34, which the unix
	// package does not define for arm64), ppoll(2) where there is none.
	pauseNr := unix.SYS_PPOLL
	if runtime.GOARCH == "amd64" {
		pauseNr = 34
	}
	asleep(atid, strconv.Itoa(pauseNr))
	asleep(pid, strconv.Itoa(unix.SYS_READ))
	sc := procinspect.Scanner{Root: procfs}
	first, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(in, "x\n")
	line("gone")
	io.WriteString(in, "y\n")
	line("B")
	reused := false
	for _, x := range tids() {
		reused = reused || x == atid
	}
	if !reused {
		t.Fatalf("B did not get TID %d, which the init's ns_last_pid gave it: %v", atid, tids())
	}
	asleep(atid, strconv.Itoa(unix.SYS_RT_SIGTIMEDWAIT))
	// The main thread, after starting B, goes back to pause(): both scans
	// must find it there, not on its way (CI once read it mid-switch).
	asleep(pid, strconv.Itoa(pauseNr))
	// New threads often have the counts an exited one had, (1, 0): make
	// the coincidence certain by giving A's reading B's counts.
	now, err := procinspect.ReadStatus(task(atid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var old *procinspect.Thread
	for i, th := range first.Process(pid).Deep.Threads {
		if th.TID == atid {
			old = &first.Process(pid).Deep.Threads[i]
		}
	}
	if old == nil || old.Sigwait.V || old.Wchan == "" {
		t.Fatalf("the first reading of thread A (%d): %+v; want it asleep outside sigwait", atid, old)
	}
	t.Logf("A's counts %v, B's %v", old.Status.Switches.V, now.Switches.V)
	old.Status.Switches = now.Switches
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
	describe := func(s *procinspect.Snapshot) string {
		p := s.Process(pid)
		var b strings.Builder
		for _, th := range p.Deep.Threads {
			b.WriteString(strconv.Itoa(th.TID) + ": syscall " + strconv.Itoa(th.Syscall) + " wchan " + th.Wchan +
				" sigwait " + strconv.FormatBool(th.Sigwait.V) + "; ")
		}
		pr := predict.Assess(s, nil).Of(p).Prediction(procinspect.SIGTERM, predict.Inside)
		return b.String() + "SIGTERM inside: " + string(pr.Verdict) + " " + string(pr.Outcome) + ": " + pr.Reason
	}
	g, w := describe(got), describe(want)
	if !strings.Contains(w, strconv.Itoa(atid)+": syscall "+strconv.Itoa(unix.SYS_RT_SIGTIMEDWAIT)) {
		t.Fatalf("a full scan does not see thread %d in sigtimedwait: %s", atid, w)
	}
	if g != w {
		t.Errorf("TID %d reused by a new thread: the rescan says\n  %s\na full scan says\n  %s", atid, g, w)
	}
}

// threadsProg builds testdata/threads/NAME.c (gcc, -pthread) into the
// test's temporary directory and returns its path.
func threadsProg(t *testing.T, name string) string {
	t.Helper()
	prog := filepath.Join(t.TempDir(), name)
	if err := nstest.Build([]string{"gcc", "-O1", "-Wall", "-pthread", "-o", prog, "testdata/threads/" + name + ".c"}); err != nil {
		t.Fatal(err)
	}
	return prog
}
