package procinspect

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A daemon's command line is read after the scan: it is paired with the
// scanned process by the start time read with its status, so a daemon that
// exited (or whose PID was reused) lends no flags to whatever process has
// its PID now.
func TestDaemonCmdlinePairedByStartTime(t *testing.T) {
	// A script: its command name is the script's, and it stays alive
	// whatever its arguments (sleep itself would refuse --data-root).
	bin := filepath.Join(t.TempDir(), "dockerd")
	// It waits in the read builtin, never forking: a forked child is, until
	// it execs, a second "dockerd" with the same command line and its own
	// start time (CI caught one between the script's fork and its sleep).
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nread line\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	stdin, hold, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	defer hold.Close()
	cmd := exec.Command(bin, "--data-root", "/nonexistent-sigview-test")
	cmd.Stdin = stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	// Scan once it runs the script (not the test binary between fork
	// and exec).
	for i := 0; ; i++ {
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/comm"); string(b) == "dockerd\n" {
			break
		} else if i == 500 {
			t.Fatalf("the script did not start: comm %q", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	snap, err := Scanner{Root: "/proc", NoMem: true}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p := snap.Process(cmd.Process.Pid)
	if p == nil || p.Name() != "dockerd" || p.StartTime == 0 {
		t.Fatalf("the daemon was scanned without its start time: %+v", p)
	}
	pr := NewFS("/proc", true).Proc(p.PID)
	if !sameProcess(pr, p) {
		t.Fatal("the running daemon is not the scanned one")
	}
	forged := *p
	forged.StartTime++ // the scanned process started at another time: this PID was reused
	if sameProcess(pr, &forged) {
		t.Fatal("a process with another start time passed as the scanned one")
	}
	// A fresh snapshot whose record of the daemon has another start time,
	// as if the PID had been reused between the scan and findDaemons.
	snap2, err := Scanner{Root: "/proc", NoMem: true}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	snap2.Process(p.PID).StartTime++
	snap2.daemonsOnce, snap2.daemons = sync.Once{}, nil // the scan may have looked already
	var argv [][]string
	for _, d := range snap2.EngineOptions().Daemons("dockerd") {
		argv = append(argv, d.Argv)
	}
	if slices.ContainsFunc(argv, func(a []string) bool { return slices.Contains(a, "/nonexistent-sigview-test") }) {
		t.Errorf("the command line of a process that is not the scanned one was used: %q", argv)
	}
	has := func(s *Snapshot) bool {
		for _, d := range s.EngineOptions().Daemons("dockerd") {
			if slices.Contains(d.Argv, "/nonexistent-sigview-test") {
				return true
			}
		}
		return false
	}
	if !has(snap) {
		t.Errorf("the scanned daemon's own command line was not used")
	}
	// A rescan that builds on the last one (the UI's, serve's) carries the
	// daemon over unread: its start time goes with it, and its flags stay
	// in use (review: they were dropped from the second scan on).
	re, err := Scanner{Root: "/proc", NoMem: true, Prev: snap}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if q := re.Process(p.PID); q == nil || q.StartTime != p.StartTime {
		t.Errorf("the rescan's reading of the daemon: %+v, start time want %d", q, p.StartTime)
	}
	if !has(re) {
		t.Errorf("the rescan dropped the daemon's command line")
	}
}
