package main

// Real-kernel tests of try's promises: --grace 0 means SIGKILL at once, and
// the command never outlives sigview, whatever ends sigview.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/internal/nstest"
)

// TestTryGraceZero checks that --grace 0 sends SIGKILL right after the
// stop signal (as docker stop -t 0), where it used to wait the default 10 s.
func TestTryGraceZero(t *testing.T) {
	nstest.NeedNamespaces(t)
	r := sigview(t, nil, "try", "--json", "--grace", "0", "--", "sleep", "1000")
	var doc struct {
		EndedBy  string   `json:"ended_by"`
		ExitCode int      `json:"exit_code"`
		Seconds  *float64 `json:"seconds"`
		Grace    *float64 `json:"grace_seconds"`
		Held     *bool    `json:"prediction_held"`
		Status   int      `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if r.code != 3 || doc.Status != 3 || doc.EndedBy != "SIGKILL" || doc.ExitCode != 137 {
		t.Errorf("status %d (field %d), ended_by %q, exit_code %d; want 3, SIGKILL, 137", r.code, doc.Status, doc.EndedBy, doc.ExitCode)
	}
	// The old default grace waited 10 s from the stop signal to SIGKILL.
	if doc.Seconds == nil || *doc.Seconds >= 5 {
		t.Errorf("seconds from the stop signal to the end = %v; want well under the old 10 s", doc.Seconds)
	}
	if doc.Grace == nil || *doc.Grace != 0 {
		t.Errorf("grace_seconds = %v; want 0", doc.Grace)
	}
	if doc.Held != nil {
		t.Errorf("prediction_held = %v; want null: SIGTERM had no time to act", *doc.Held)
	}
}

// TestTryDiesWithSigview ends a running `sigview try` with a signal and
// checks, by the init's pidfd and its namespace's inode (not by name), that
// nothing of the command is left.
func TestTryDiesWithSigview(t *testing.T) {
	nstest.NeedNamespaces(t)
	tl := buildTools(t)
	for _, c := range []struct {
		name  string
		sig   syscall.Signal
		args  []string
		after time.Duration // how long the try runs before the signal
		code  int           // sigview's status; -1 when killed
	}{
		{"SIGTERM while settling", syscall.SIGTERM, []string{"--settle", "30s"}, 0, 128 + 15},
		{"SIGINT in the grace period", syscall.SIGINT, []string{"--settle", "0", "--grace", "60s"}, 3 * time.Second, 128 + 2},
		{"SIGHUP", syscall.SIGHUP, []string{"--grace", "60s"}, 0, 128 + 1},
		{"SIGKILL (parent-death signal)", syscall.SIGKILL, []string{"--grace", "60s"}, 0, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := append(append([]string{"try"}, c.args...), "--", "sh", "-c", "sleep 1000 & wait")
			cmd := exec.Command(tl.sigview, args...)
			var out, errb bytes.Buffer
			// A command left behind would hold the pipes open: do not wait
			// for them.
			cmd.Stdout, cmd.Stderr, cmd.WaitDelay = &out, &errb, time.Second
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			t.Cleanup(func() { cmd.Process.Kill(); <-exited })

			init, pidfd, ns := namespaceOf(t, cmd.Process.Pid)
			defer func() {
				// Whatever the test found, leave nothing running.
				unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0)
				unix.Close(pidfd)
			}()
			time.Sleep(c.after)
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				t.Fatalf("sigview did not exit within 10 s of %s", c.sig)
			}
			if got := cmd.ProcessState.ExitCode(); got != c.code {
				t.Errorf("sigview exited %d; want %d (stderr %q)", got, c.code, errb.String())
			}
			if c.sig != syscall.SIGKILL {
				want := fmt.Sprintf("sigview: try: received %s: killed sh (PID %d here) and its PID namespace", sigName(c.sig), init)
				if !strings.Contains(errb.String(), want) {
					t.Errorf("stderr = %q; want %q", errb.String(), want)
				}
			}
			// The init ends (the pidfd turns readable), and with it every
			// process of its namespace.
			fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
			if n, err := unix.Poll(fds, 3000); err != nil || n != 1 {
				t.Fatalf("the init (PID %d) is still running 3 s after sigview ended (poll %d, %v)", init, n, err)
			}
			for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				left := inNamespace(ns)
				if len(left) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("processes %v of PID namespace %s are left 3 s after sigview ended", left, ns)
				}
			}
		})
	}
}

// namespaceOf waits until sigview (PID sv) runs its command as an init
// with a child, and returns the init's PID, a pidfd for it and its PID
// namespace.
func namespaceOf(t *testing.T, sv int) (int, int, string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
		for _, init := range childrenOf(sv) {
			ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", init))
			if err != nil || len(childrenOf(init)) == 0 {
				continue
			}
			if own, _ := os.Readlink("/proc/self/ns/pid"); ns == own {
				continue // not yet in its own namespace
			}
			fd, err := unix.PidfdOpen(init, 0)
			if err != nil {
				t.Fatalf("pidfd_open(%d): %v", init, err)
			}
			return init, fd, ns
		}
	}
	t.Fatalf("sigview (PID %d) started no init with a child within 10 s", sv)
	return 0, 0, ""
}

// childrenOf lists the children of every thread of pid.
func childrenOf(pid int) []int {
	var kids []int
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				kids = append(kids, n)
			}
		}
	}
	return kids
}

// inNamespace lists the processes whose PID namespace is ns.
func inNamespace(ns string) []int {
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if link, err := os.Readlink(d + "/ns/pid"); err == nil && link == ns {
			n, _ := strconv.Atoi(filepath.Base(d))
			pids = append(pids, n)
		}
	}
	return pids
}

func sigName(s syscall.Signal) string {
	return map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT", syscall.SIGHUP: "SIGHUP"}[s]
}

// TestSendAndExplainJSON checks send --json against what the kernel did,
// and explain --json against the live init it describes.
func TestSendAndExplainJSON(t *testing.T) {
	nstest.NeedNamespaces(t)
	tg := startTarget(t, true, 0, "sleep", "1000")
	pid := strconv.Itoa(tg.pid)

	r := sigview(t, nil, "explain", pid, "--json")
	var ex struct {
		PID    int   `json:"pid"`
		NSPID  *int  `json:"ns_pid"`
		IsInit *bool `json:"is_init"`
		Tasks  []struct {
			TID   int     `json:"tid"`
			State *string `json:"state"`
		} `json:"tasks"`
		Predictions []struct{ Signal, From string } `json:"predictions"`
		Namespace   *struct {
			Inode *uint64 `json:"inode"`
		} `json:"namespace"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil || r.code != 0 {
		t.Fatalf("explain --json: status %d, decode: %v", r.code, err)
	}
	ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", tg.pid))
	if ex.PID != tg.pid || ex.NSPID == nil || *ex.NSPID != 1 || ex.IsInit == nil || !*ex.IsInit {
		t.Errorf("explain --json: pid %d ns_pid %v is_init %v; want %d, 1, true", ex.PID, ex.NSPID, ex.IsInit, tg.pid)
	}
	if ex.Namespace == nil || ex.Namespace.Inode == nil || fmt.Sprintf("pid:[%d]", *ex.Namespace.Inode) != ns {
		t.Errorf("explain --json: namespace %+v; want the inode of %s", ex.Namespace, ns)
	}
	if len(ex.Tasks) != 1 || ex.Tasks[0].TID != tg.pid || ex.Tasks[0].State == nil {
		t.Errorf("explain --json: tasks %+v; want the one thread %d with its state", ex.Tasks, tg.pid)
	}
	if len(ex.Predictions) != 10 || ex.Predictions[0].Signal != "SIGTERM" || ex.Predictions[0].From != "inside" {
		t.Errorf("explain --json: %d predictions, first %+v; want 10, SIGTERM from inside first", len(ex.Predictions), ex.Predictions)
	}

	r = sigview(t, nil, "send", pid, "--json", "-s", "KILL", "--watch", "2s")
	var doc struct {
		PID      int    `json:"pid"`
		Signal   string `json:"signal"`
		From     string `json:"from"`
		Ended    bool   `json:"ended"`
		ExitCode *int   `json:"exit_code"`
		Held     *bool  `json:"prediction_held"`
		Status   *int   `json:"status"`
		Summary  string `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("send --json: decode: %v", err)
	}
	<-tg.done
	if doc.PID != tg.pid || doc.Signal != "SIGKILL" || doc.From != "host" || !doc.Ended || doc.Held == nil || !*doc.Held ||
		doc.Status == nil || *doc.Status != r.code || r.code != 0 || doc.Summary == "" {
		t.Errorf("send --json = %+v, status %d; want SIGKILL from host, ended, held, status 0", doc, r.code)
	}
	if tg.ws.Signal() != syscall.SIGKILL || (doc.ExitCode != nil && *doc.ExitCode != 137) {
		t.Errorf("the kernel says %v, send --json exit_code %v; want SIGKILL and 137 (or null before Linux 6.15)", tg.ws, doc.ExitCode)
	}
}
