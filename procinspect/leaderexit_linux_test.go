package procinspect_test

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
)

// TestRescanLeaderExited: a process whose main thread called pthread_exit
// while another thread lives (testdata/threads/leaderexit.c) is listed
// with its leader's state, Z, but is no zombie: the kernel gave the
// leader's children to the live thread and their PPid stands. A rescan
// carries those children unread while a thread of the process lives
// (leaderexit.go) instead of reading every one of them again at every
// rescan (4 children: 4 status reads a rescan before, against the live
// thread's stat now), and shows what a full scan shows at every step: with
// the leader gone, when the last thread exits (the process is a zombie
// like any other and its children are the namespace init's) and when it
// is reaped. It does so twice: the second time the test traces the live
// thread (PTRACE_SEIZE), which then stays a zombie after its exit until the
// test waits for it, so that status says Threads: 2 of a process whose
// every thread has exited and whose children the kernel has already given
// to the init: the thread's own state, not the count, tells. The test runs
// itself as PID 1 of new PID and mount namespaces with their own procfs,
// so that the comparison is of processes at rest.
func TestRescanLeaderExited(t *testing.T) {
	if os.Getenv("SIGVIEW_LEADEREXIT_INNER") != "" {
		leaderExitInside(t, os.Getenv("SIGVIEW_LEADEREXIT_PROG"))
		return
	}
	nstest.NeedNamespaces(t)
	prog := threadsProg(t, "leaderexit")
	nstest.RerunAsInit(t, "TestRescanLeaderExited", 60*time.Second, "", "SIGVIEW_LEADEREXIT_INNER=1", "SIGVIEW_LEADEREXIT_PROG="+prog)
}

func leaderExitInside(t *testing.T, prog string) {
	nstest.BecomeProcInit(t)
	t.Run("untraced", func(t *testing.T) { leaderExitOnce(t, prog, false) })
	t.Run("traced", func(t *testing.T) { leaderExitOnce(t, prog, true) })
}

func leaderExitOnce(t *testing.T, prog string, traced bool) {
	// The tracer is a thread: the tracing and the wait are made from this
	// one.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctl, ctlW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	const nkids = 4
	cmd := exec.Command(prog, strconv.Itoa(nkids))
	cmd.ExtraFiles = []*os.File{ctl} // fd 3: the worker's signal to exit
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctl.Close()
	reaped := false
	defer func() {
		ctlW.Close()
		if !reaped {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}() // the children die with this namespace, whose init is this test
	pid := cmd.Process.Pid
	var kids []int
	rd := bufio.NewScanner(out)
	for rd.Scan() && rd.Text() != "ready" {
		if c, ok := strings.CutPrefix(rd.Text(), "child "); ok {
			n, _ := strconv.Atoi(c)
			kids = append(kids, n)
		}
	}
	if len(kids) != nkids {
		t.Fatalf("leaderexit made children %v, want %d", kids, nkids)
	}
	// status waits until what /proc/PID/status says satisfies ok.
	status := func(pid int, what string, ok func(procinspect.Status) bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			st, err := procinspect.ReadStatus("/proc/" + strconv.Itoa(pid) + "/status")
			if err == nil && ok(st) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("PID %d: not %s within 10 s (%+v, %v)", pid, what, st, err)
			}
		}
	}
	status(pid, "a zombie leader with a live thread", func(st procinspect.Status) bool {
		return st.State == 'Z' && st.Threads.V == 2
	})

	// The reads a rescan makes below the directories of the process and
	// of its children.
	var mu sync.Mutex
	var paths []string
	stop := procinspect.OnRead(func(p string) {
		mu.Lock()
		paths = append(paths, p)
		mu.Unlock()
	})
	defer stop()
	ours := func(p string) bool {
		for _, x := range append([]int{pid}, kids...) {
			if strings.HasPrefix(p, "/proc/"+strconv.Itoa(x)+"/") {
				return true
			}
		}
		return false
	}
	sc := procinspect.Scanner{Root: "/proc"}
	inc, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	// step rescans on the last incremental snapshot, compares it with a
	// full scan, and returns what the rescan read of the process's and
	// its children's files.
	step := func(what string) (read []string) {
		t.Helper()
		mu.Lock()
		paths = nil
		mu.Unlock()
		s := sc
		s.Prev = inc
		got, err := s.Scan()
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		for _, p := range paths {
			if ours(p) {
				read = append(read, p)
			}
		}
		mu.Unlock()
		want, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		// What does not race at rest. (The rest is this test's own Go
		// threads: PID 1 is the only process read in depth.)
		rest, _ := compareScans(got, want)
		for _, d := range rest {
			t.Errorf("%s: %s", what, d)
		}
		for _, k := range kids {
			if g := got.Process(k); g == nil || !g.Status.PPid.Known {
				t.Errorf("%s: child %d: %+v", what, k, g)
			}
		}
		t.Logf("%s: the rescan read %d files of PID %d and its children: %v", what, len(read), pid, read)
		inc = got
		return read
	}
	kidStatus := func(read []string) (n int) {
		for _, p := range read {
			for _, k := range kids {
				if p == "/proc/"+strconv.Itoa(k)+"/status" {
					n++
				}
			}
		}
		return n
	}
	step("the leader exited, first rescan")
	for i := 0; i < 3; i++ {
		read := step("the leader exited, rescan " + strconv.Itoa(i+2))
		// Its status (a parent of carried processes) and its live
		// thread's stat; no child's status.
		if n := kidStatus(read); n != 0 || len(read) > 2 {
			t.Errorf("rescan %d read %d files of PID %d, whose leader exited, and of its children, %d children's status among them; want its status and its live thread's stat: %v", i+2, len(read), pid, n, read)
		}
	}
	for _, k := range kids {
		if p := inc.Process(k); p == nil || p.Status.PPid.V != pid {
			t.Fatalf("child %d: %+v, want the PPid %d", k, p, pid)
		}
	}

	adopted := func(what string) {
		t.Helper()
		for _, k := range kids {
			if p := inc.Process(k); p == nil || p.Status.PPid.V != 1 {
				t.Errorf("%s: child %d: %+v, want the PPid 1", what, k, p)
			}
		}
	}
	// The last thread exits: the process is a zombie and its children
	// are given to this namespace's init.
	worker := 0
	if traced {
		ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if n, _ := strconv.Atoi(e.Name()); n != pid {
				worker = n
			}
		}
		if err := unix.PtraceSeize(worker); err != nil {
			t.Fatalf("PTRACE_SEIZE thread %d: %v", worker, err)
		}
	}
	ctlW.Write([]byte{1})
	for _, k := range kids {
		status(k, "adopted by PID 1", func(st procinspect.Status) bool { return st.PPid.V == 1 })
	}
	if traced {
		// Exited, not waited for: the process still counts two threads.
		status(pid, "a zombie counting its exited, traced thread", func(st procinspect.Status) bool {
			return st.State == 'Z' && st.Threads.V == 2
		})
		if read := step("the last thread exited, traced"); kidStatus(read) != nkids {
			t.Errorf("the rescan after the traced last thread exited read the status of %d of the %d children: %v", kidStatus(read), nkids, read)
		}
		adopted("the last thread exited, traced")
		var ws unix.WaitStatus
		if _, err := unix.Wait4(worker, &ws, unix.WALL, nil); err != nil {
			t.Fatalf("wait for the traced thread %d: %v", worker, err)
		}
	}
	status(pid, "a zombie without threads", func(st procinspect.Status) bool { return st.State == 'Z' && st.Threads.V == 1 })
	if read := step("the last thread exited"); !traced && kidStatus(read) != nkids {
		t.Errorf("the rescan after the last thread exited read the status of %d of the %d children: %v", kidStatus(read), nkids, read)
	}
	adopted("the last thread exited")
	// Reaped.
	cmd.Wait()
	reaped = true
	step("reaped")
	if inc.Process(pid) != nil {
		t.Errorf("PID %d still in the rescan after it was reaped", pid)
	}
}
