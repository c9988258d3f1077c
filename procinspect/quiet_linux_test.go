package procinspect

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// TestQuietKeepsOnlyWhileAsleep: a rescan keeps a namespace init's command
// line and wait state while the init has not run (reuse.go: quiet), and
// reads them again once it has, even when it exec'd a program of the same
// name (the status name, masks and wait are then all as before: only the
// command line tells, and only the switch counts say it ran).
func TestQuietKeepsOnlyWhileAsleep(t *testing.T) {
	nstest.NeedNamespaces(t)
	pid, in := startReader(t, true, "sh", "-c", `read x; exec sh -c 'read y' second`)
	asleepIn := func(want string) { t.Helper(); waitReading(t, pid, want, false) }
	sc := Scanner{Root: "/proc"}
	scan := func(prev *Snapshot) *Process {
		t.Helper()
		s := sc
		s.Prev = prev
		snap, err := s.Scan()
		if err != nil {
			t.Fatal(err)
		}
		p := snap.Process(pid)
		if p == nil || p.Deep == nil {
			t.Fatalf("PID %d not read in depth: %+v", pid, p)
		}
		lastQuiet = snap
		return p
	}
	asleepIn("read x")
	first := scan(nil)
	kept := scan(lastQuiet)
	if !kept.quiet {
		t.Fatalf("the init asleep in read: the rescan read it afresh (switches %v, then %v); want its reading kept", first.Status.Switches, kept.Status.Switches)
	}
	if !slices.Equal(kept.Cmdline, first.Cmdline) || kept.StartTime != first.StartTime || kept.Deep.Threads[0].Syscall != 0 {
		t.Errorf("kept: cmdline %q start %d syscall %d; first read %q %d", kept.Cmdline, kept.StartTime, kept.Deep.Threads[0].Syscall, first.Cmdline, first.StartTime)
	}
	// A reading whose wait was caught on the way to sleep (status S, wchan
	// not yet known) is never kept: it would stand while the init sleeps.
	lastQuiet.Process(pid).Deep.Threads[0].Wchan = ""
	if fresh := scan(lastQuiet); fresh.quiet || fresh.Deep.Threads[0].Wchan == "" {
		t.Errorf("a reading with no wchan was kept (quiet %v, wchan %q); want it read again", fresh.quiet, fresh.Deep.Threads[0].Wchan)
	}
	if _, err := in.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	asleepIn("second")
	after := scan(lastQuiet)
	if after.Name() != first.Name() {
		t.Fatalf("the exec changed the name %q to %q: the test wants one that keeps it", first.Name(), after.Name())
	}
	if after.quiet || !slices.Contains(after.Cmdline, "second") {
		t.Errorf("after an exec keeping the name: quiet %v, cmdline %q; want read afresh with \"second\"", after.quiet, after.Cmdline)
	}
	full, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if f := full.Process(pid); f == nil || !slices.Equal(f.Cmdline, after.Cmdline) {
		t.Errorf("the rescan's cmdline %q, a full scan's %+v", after.Cmdline, f)
	}
	if again := scan(lastQuiet); !again.quiet || !slices.Equal(again.Cmdline, after.Cmdline) {
		t.Errorf("asleep again: quiet %v, cmdline %q; want kept %q", again.quiet, again.Cmdline, after.Cmdline)
	}
}

var lastQuiet *Snapshot

// TestQuietExecFromThread: an exec from a thread other than the leader
// (de_thread) gives that thread the leader's PID, /proc inode and start
// time, with its own switch counts, which can be the old leader's (new
// threads have small ones). A rescan must read such a process afresh, not
// keep the old program's command line and wait: python3, asleep in read,
// starts a thread that execs python3 again with "second" in its argv (the
// same name). The coincidence of counts is made certain by giving the
// first reading the new leader's counts. With the process events the
// rescan does not read the run time; the thread's fork event must name the
// process instead (evCover.sawNoThread).
func TestQuietExecFromThread(t *testing.T) {
	nstest.NeedNamespaces(t)
	t.Run("listing", func(t *testing.T) { quietExecFromThread(t, nil) })
	t.Run("events", func(t *testing.T) {
		ev, err := OpenEvents()
		if err != nil {
			nstest.Skip(t, "proc-events", "the process events connector is not usable here: %v", err)
		}
		defer ev.Close()
		quietExecFromThread(t, ev)
	})
}

func quietExecFromThread(t *testing.T, ev *Events) {
	py := `import os, sys, threading
sys.stdin.readline()
threading.Thread(target=lambda: os.execv(sys.executable, [sys.executable, "-c", "import sys; sys.stdin.readline()", "second"])).start()
threading.Event().wait()`
	pid, in := startReader(t, true, "/usr/bin/python3", "-c", py, "first") // Debian's, not a shim
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	asleepIn := func(want string) { t.Helper(); waitReading(t, pid, want, true) }
	sc := Scanner{Root: "/proc", Events: ev}
	asleepIn("first")
	first, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if p := first.Process(pid); p == nil || p.Deep == nil || len(p.Deep.Threads) != 1 {
		t.Fatalf("python3 not read in depth with one thread: %+v", p)
	}
	if _, err := in.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	asleepIn("second")
	now, err := ReadStatus(filepath.Join(dir, "status"))
	if err != nil {
		t.Fatal(err)
	}
	old := first.Process(pid)
	t.Logf("the old leader's counts %v, the new one's %v", old.Status.Switches.V, now.Switches.V)
	old.Status.Switches = now.Switches
	old.Deep.Threads[0].Status.Switches = now.Switches
	inc := sc
	inc.Prev = first
	got, err := inc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if ev != nil && got.evGen == 0 {
		t.Fatalf("the rescan did not follow the events (broken: %q)", ev.Broken())
	}
	p := got.Process(pid)
	if p == nil || p.Deep == nil {
		t.Fatalf("python3 not read in depth by the rescan: %+v", p)
	}
	if p.quiet || !slices.Contains(p.Cmdline, "second") || p.Name() != old.Name() {
		t.Errorf("after an exec from another thread: quiet %v, name %q, cmdline %q; want read afresh with \"second\"", p.quiet, p.Name(), p.Cmdline)
	}
}

// TestScanFollow: a PID on Scanner.Follow (watch's learned processes) is
// read in depth like an init, and a rescan keeps its reading while it
// sleeps (quiet), its fd table read only when it can matter; a PID on
// Deep (asked for) is read afresh every time, fd table and all.
func TestScanFollow(t *testing.T) {
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // through Go's pidfd
		cmd.Wait()
	})
	pid := cmd.Process.Pid
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		argv, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		wc, _ := os.ReadFile(filepath.Join(dir, "wchan"))
		st, _ := ReadStatus(filepath.Join(dir, "status"))
		if bytes.HasPrefix(argv, []byte("sleep\x00")) && st.State == 'S' && len(wc) > 0 && string(wc) != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sleep is not asleep within 10 s: %q, state %c", argv, st.State)
		}
	}
	scan := func(sc Scanner) (*Snapshot, *Process) {
		t.Helper()
		s, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		p := s.Process(pid)
		if p == nil || p.Deep == nil {
			t.Fatalf("PID %d not read in depth: %+v", pid, p)
		}
		return s, p
	}
	first, _ := scan(Scanner{Root: "/proc", Follow: []int{pid}})
	again, p := scan(Scanner{Root: "/proc", Follow: []int{pid}, Prev: first})
	if !p.quiet || !p.Deep.FDsSkipped {
		t.Errorf("followed and asleep: quiet %v, fd table skipped %v; want both", p.quiet, p.Deep.FDsSkipped)
	}
	if _, p := scan(Scanner{Root: "/proc", Deep: []int{pid}, Prev: again}); p.quiet || p.Deep.FDsSkipped {
		t.Errorf("asked for: quiet %v, fd table skipped %v; want neither", p.quiet, p.Deep.FDsSkipped)
	}
}

// startReader starts argv with a pipe on its stdin (as PID 1 of a new PID
// namespace if newNS), killed through Go's pidfd when the test ends, and
// returns its PID and the pipe.
func startReader(t *testing.T, newNS bool, argv ...string) (int, io.Writer) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if newNS {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWPID
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // through Go's pidfd: never hits a reused PID
		cmd.Wait()
	})
	return cmd.Process.Pid, in
}

// waitReading waits until pid sleeps in read(2) with an argv holding want
// (and, if alone, with one thread).
func waitReading(t *testing.T, pid int, want string, alone bool) {
	t.Helper()
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		argv, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		sc, _ := os.ReadFile(filepath.Join(dir, "syscall"))
		st, _ := ReadStatus(filepath.Join(dir, "status"))
		if bytes.Contains(argv, []byte(want)) && bytes.HasPrefix(sc, []byte("0 ")) && st.State == 'S' && (!alone || st.Threads.V == 1) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PID %d is not asleep in read (alone: %v) with %q in its argv within 30 s: %q, %q, state %c", pid, alone, want, argv, sc, st.State)
		}
	}
}
