package procinspect

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

func openEventsScanner(t *testing.T) (*Events, func(prev *Snapshot) *Snapshot) {
	t.Helper()
	nstest.NeedNamespaces(t)
	ev, err := OpenEvents()
	if err != nil {
		nstest.Skip(t, "proc-events", "the process events connector is not usable here: %v", err)
	}
	t.Cleanup(func() { ev.Close() })
	sc := Scanner{Root: "/proc", Events: ev}
	return ev, func(prev *Snapshot) *Snapshot {
		t.Helper()
		s := sc
		s.Prev = prev
		snap, err := s.Scan()
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
}

func exitedHas(ev *Events, pid int) bool {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return ev.exited[pid]
}

func entsHave(s *Snapshot, pid int) bool {
	return slices.ContainsFunc(s.ents, func(e entry) bool { return e.pid == pid })
}

// TestEventsThreadNotAProcess: a PID an exit event freed (exited) that
// comes back as a thread's ID (/proc/TID is found by a lookup though not
// listed) is dropped from the listing the events give and from exited,
// instead of being looked up, read and counted vanished at every rescan.
// The exit is stood in for by noting one of this test's own threads as
// exited (the kernel reuses the PID as a TID with clone3's set_tid or by
// chance).
func TestEventsThreadNotAProcess(t *testing.T) {
	ev, scan := openEventsScanner(t)
	first := scan(nil)
	second := scan(first)
	tid := 0
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range tasks {
		if n, _ := strconv.Atoi(d.Name()); n != os.Getpid() && n > 0 {
			tid = n
		}
	}
	if tid == 0 {
		t.Fatal("the test process has no thread but its leader")
	}
	ev.mu.Lock()
	ev.exited[tid] = true
	ev.mu.Unlock()
	third := scan(second)
	if EventsDerived(ev) < 2 {
		t.Fatalf("the rescan did not derive its listing from the events (%d, broken %q)", EventsDerived(ev), ev.Broken())
	}
	if exitedHas(ev, tid) {
		t.Errorf("thread %d is still waited for as an exited process", tid)
	}
	if entsHave(third, tid) {
		t.Errorf("thread %d is in the listing the next rescan builds on", tid)
	}
	if third.byPID[tid] != nil {
		t.Errorf("thread %d was read as a process", tid)
	}
	if fourth := scan(third); entsHave(fourth, tid) {
		t.Errorf("thread %d came back at the next rescan", tid)
	}
}

// TestEventsExecByThread: when a thread other than the leader execs, the
// kernel ends every other thread, the leader included (an exit event with
// pid == tgid), and the exec'ing thread takes over the PID: the process
// lives on and is no longer waited for as exited (one status read at every
// rescan for the rest of its life, before).
func TestEventsExecByThread(t *testing.T) {
	ev, scan := openEventsScanner(t)
	prev := scan(scan(nil))
	py := `import os, threading, time
threading.Thread(target=lambda: os.execv("/bin/sleep", ["sleep", "30"])).start()
time.sleep(30)`
	cmd := exec.Command("python3", "-c", py)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }() // the process this test started
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		if strings.TrimSpace(string(comm)) == "sleep" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("python3's thread did not exec sleep: comm %q", comm)
		}
	}
	snap := scan(prev)
	snap = scan(snap)
	if ev.Broken() != "" {
		t.Fatal(ev.Broken())
	}
	if p := snap.byPID[pid]; p == nil || p.Status.Name != "sleep" {
		t.Fatalf("PID %d after its thread's exec: %+v", pid, p)
	}
	if exitedHas(ev, pid) {
		t.Errorf("PID %d lives on after its thread's exec, and is still waited for as exited", pid)
	}
}

// TestEventsCheckGivesASecondChance: a check that finds the listing and the
// events disagreeing on a PID no event named (a listing made between the
// kernel attaching a new PID and sending its fork) does not give up on the
// events at once: the next take names the PID again, and gives up only if
// no event named it by then.
func TestEventsCheckGivesASecondChance(t *testing.T) {
	ev, _ := openEventsScanner(t)
	const pid = 1<<22 + 7 // above pid_max: no event names it by chance
	ev.check(nil, []entry{{pid: pid}}, map[int]bool{})
	if b := ev.Broken(); b != "" {
		t.Fatalf("one disagreement turned the events off: %s", b)
	}
	// Its fork event comes.
	ev.mu.Lock()
	ev.name(map[int]bool{}, pid)
	ev.mu.Unlock()
	_, named, ok, _ := ev.take()
	if !ok || ev.Broken() != "" {
		t.Fatalf("the events were given up although an event named %d: %q", pid, ev.Broken())
	}
	if !named[pid] {
		t.Errorf("the take after the check did not name %d again", pid)
	}
	// No event comes.
	ev.check(nil, []entry{{pid: pid}}, map[int]bool{})
	if _, _, ok, _ := ev.take(); ok || ev.Broken() == "" {
		t.Errorf("a PID still unnamed at the next take did not turn the events off (ok %v)", ok)
	}
}

// TestEventsUnnamedSince: after a take, unnamedSince says whether an event
// named a process since, from what is queued on the socket then (a quiet
// process's run time is not read on its word: reuse.go). A process started
// after the take, and one that makes a thread, are named; one that did
// nothing is not. What it drained is still named by the next take.
func TestEventsUnnamedSince(t *testing.T) {
	ev, _ := openEventsScanner(t)
	py := `import sys, threading
sys.stdin.readline()
threading.Thread(target=lambda: None).start()
sys.stdin.readline()`
	idle := exec.Command("/usr/bin/python3", "-c", py)
	idleIn, err := idle.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := idle.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idle.Process.Kill(); idle.Wait() })
	// Its start (fork, exec) is named by a take; once it waits for its
	// input, nothing names it until it makes the thread.
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if _, _, ok, _ := ev.take(); !ok {
			t.Fatalf("events not usable: %s", ev.Broken())
		}
		if time.Sleep(50 * time.Millisecond); ev.unnamedSince(idle.Process.Pid, ev.generation()) {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("PID %d still named 10 s after it started", idle.Process.Pid)
		}
	}
	child := exec.Command("/bin/true")
	if err := child.Run(); err != nil {
		t.Fatal(err)
	}
	if ev.unnamedSince(child.Process.Pid, ev.generation()) {
		t.Errorf("PID %d, started after the take, not named", child.Process.Pid)
	}
	if _, err := idleIn.Write([]byte("thread\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for ev.unnamedSince(idle.Process.Pid, ev.generation()) {
		if time.Now().After(deadline) {
			t.Fatalf("PID %d made a thread, and no event named it within 5 s", idle.Process.Pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, named, ok, _ := ev.take()
	if !ok || !named[idle.Process.Pid] || !named[child.Process.Pid] {
		t.Errorf("the next take (ok %v) names %d: %v, %d: %v; want both", ok, idle.Process.Pid, named[idle.Process.Pid], child.Process.Pid, named[child.Process.Pid])
	}
}
