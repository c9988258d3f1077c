package main

// Real-kernel tests of `sigview send` and `sigview try`, driving the built
// binary as a person would (`send --from inside` re-executes it as its
// helper): each target runs as PID 1 of a fresh PID namespace, and what
// sigview reports is checked against what the kernel really did.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/enginetest"
	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/internal/testenv"
)

// tools are the binaries the tests run, built once into a 0755 directory
// so that the unprivileged try can run sigview as nobody.
type tools struct{ dir, sigview, initprog string }

var (
	toolsOnce sync.Once
	built     tools
	toolsErr  error
)

func TestMain(m *testing.M) {
	cleanup := testenv.PrivateCache()
	code := m.Run()
	cleanup()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	enginetest.RemoveRootfs()
	os.Exit(code)
}

func buildTools(t *testing.T) tools {
	t.Helper()
	toolsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sigview-act-")
		if err == nil {
			err = os.Chmod(dir, 0o755)
		}
		if err != nil {
			toolsErr = err
			return
		}
		built = tools{dir: dir, sigview: filepath.Join(dir, "sigview"), initprog: filepath.Join(dir, "initprog")}
		toolsErr = nstest.Build(
			[]string{"go", "build", "-o", built.sigview, "."},
			[]string{"gcc", "-O1", "-Wall", "-pthread", "-o", built.initprog, "../../procinspect/testdata/inits/initprog.c"},
		)
	})
	if toolsErr != nil {
		t.Fatalf("building sigview and initprog: %v", toolsErr)
	}
	return built
}

// target is a process the test started (and so must reap).
type target struct {
	pid  int
	done chan struct{} // closed once reaped
	ws   syscall.WaitStatus
}

// startTarget runs argv (as PID 1 of a new PID namespace when newNS) and
// waits until it and kids children of it are asleep.
func startTarget(t *testing.T, newNS bool, kids int, argv ...string) *target {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if newNS {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWPID
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	tg := &target{pid: cmd.Process.Pid, done: make(chan struct{})}
	go func() {
		cmd.Wait() // reaps it, so PIDFD_INFO_EXIT can report the status
		tg.ws = cmd.ProcessState.Sys().(syscall.WaitStatus)
		close(tg.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // through Go's pidfd: never a reused PID
		select {
		case <-tg.done:
		case <-time.After(10 * time.Second):
			t.Errorf("%v (PID %d) did not die after SIGKILL", argv, tg.pid)
		}
	})
	for deadline, calm := time.Now().Add(30*time.Second), 0; calm < 3; time.Sleep(30 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%v (PID %d) did not settle asleep with %d children", argv, tg.pid, kids)
		}
		if state, _, _ := procStat(tg.pid); state == 'S' && sleepingKids(tg.pid) >= kids {
			calm++
		} else {
			calm = 0
		}
	}
	return tg
}

// procStat reads the state and parent of /proc/PID/stat.
func procStat(pid int) (state byte, ppid int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	ppid, _ = strconv.Atoi(f[1])
	return f[0][0], ppid, nil
}

func sleepingKids(pid int) int {
	n := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		p, _ := strconv.Atoi(filepath.Base(d))
		if state, ppid, err := procStat(p); err == nil && ppid == pid && state == 'S' {
			n++
		}
	}
	return n
}

// pending reports whether signal n is pending at pid (shared or private).
func pending(t *testing.T, pid, n int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read status of %d: %v", pid, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, ":")
		if k == "ShdPnd" || k == "SigPnd" {
			if m, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64); m&(1<<(n-1)) != 0 {
				return true
			}
		}
	}
	return false
}

// alive fails unless the target is still running: not reaped, not a zombie.
func (tg *target) alive(t *testing.T) {
	t.Helper()
	select {
	case <-tg.done:
		t.Fatalf("PID %d ended (%v), but should be alive", tg.pid, tg.ws)
	default:
	}
	if state, _, err := procStat(tg.pid); err != nil || state == 'Z' {
		t.Fatalf("PID %d is not running: state %c, %v", tg.pid, state, err)
	}
}

type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// sigview runs the built binary, as cred when not nil.
func sigview(t *testing.T, cred *syscall.Credential, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, buildTools(t).sigview, args...)
	var out, errb bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = "/", &out, &errb
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode() // -1 when killed: never an expected status
	case err != nil:
		t.Fatalf("run sigview %q: %v", args, err)
	}
	t.Logf("sigview %s: status %d after %s\nstdout:\n%sstderr:\n%s", strings.Join(args, " "), r.code,
		r.took.Round(time.Millisecond), r.stdout, r.stderr)
	return r
}

// has fails for every want that s does not contain.
func has(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, s)
		}
	}
}

// TestActSend sends real signals with `sigview send` and checks that the
// verified report says what the kernel did, including the drops that kill()
// reports as success.
func TestActSend(t *testing.T) {
	nstest.NeedNamespaces(t)
	tl := buildTools(t)
	sleep, tini, handler := []string{"sleep", "1000"}, []string{"tini", "--", "sleep", "1000"}, []string{tl.initprog, "handler"}
	tstp := []string{"dumb-init", "sh", "-c", "trap '' TSTP; sleep 1000 & wait"}
	cases := []struct {
		name      string
		argv      []string
		kids      int
		from, sig string
		exit      int    // -1: still alive; else the exit status it ends with
		judged    string // how the summary relates it to the prediction
		also      string // must be in the summary too
	}{
		{"sleep SIGTERM inside", sleep, 0, "inside", "TERM", -1, ", as predicted (no, dropped)", ""},
		{"sleep SIGKILL inside", sleep, 0, "inside", "KILL", -1, ", as predicted (no, dropped)", ""},
		{"sleep SIGTERM host", sleep, 0, "host", "TERM", -1, ", as predicted (no, dropped)", ""},
		{"sleep SIGKILL host", sleep, 0, "host", "KILL", 137, ", as predicted (yes, terminates)", ""},
		{"tini SIGTERM inside", tini, 1, "inside", "TERM", 143, ", as predicted (yes, forwarded)", ""},
		{"tini SIGTERM host", tini, 1, "host", "TERM", 143, ", as predicted (yes, forwarded)", ""},
		{"tini SIGKILL inside", tini, 1, "inside", "KILL", -1, ", as predicted (no, dropped)", ""},
		{"handler SIGTERM inside", handler, 0, "inside", "TERM", 0, "; sigview predicted depends (handled)", ""},
		{"handler SIGTERM host", handler, 0, "host", "TERM", 0, "; sigview predicted depends (handled)", ""},
		// dumb-init's setsid mode stops its child's group with SIGSTOP for a
		// SIGTSTP the child ignores; send watches only the init.
		{"dumb-init SIGTSTP inside", tstp, 1, "inside", "TSTP", -1, ", as predicted for it (no, forwarded); what the forwarded signal did to its children was not watched", "SIGSTOP instead"},
		{"dumb-init SIGTSTP host", tstp, 1, "host", "TSTP", -1, ", as predicted for it (no, forwarded); what the forwarded signal did to its children was not watched", "SIGSTOP instead"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tg := startTarget(t, true, c.kids, c.argv...)
			r := sigview(t, nil, "send", "--from", c.from, "-s", c.sig, "--watch", "1500ms", strconv.Itoa(tg.pid))
			if r.code != 0 {
				t.Errorf("sigview send: status %d, want 0 (the prediction held)", r.code)
			}
			has(t, "summary", r.stdout, fmt.Sprintf("sent SIG%s from %s; ", c.sig, c.from), c.also)
			if strings.Contains(r.stdout, "did not hold") {
				t.Errorf("summary says the prediction did not hold: %s", r.stdout)
			}
			if c.exit < 0 {
				has(t, "summary", r.stdout, "; still alive ", " s later"+c.judged)
				tg.alive(t)
				if sig := map[string]int{"TERM": 15, "KILL": 9, "TSTP": 20}[c.sig]; pending(t, tg.pid, sig) {
					t.Errorf("SIG%s is pending at %d: queued, not dropped", c.sig, tg.pid)
				}
				return
			}
			has(t, "summary", r.stdout, "; it ended ", fmt.Sprintf(" with exit status %d%s", c.exit, c.judged))
			select {
			case <-tg.done:
			case <-time.After(5 * time.Second):
				t.Fatalf("sigview says PID %d ended, but it was not reaped", tg.pid)
			}
			got := tg.ws.ExitStatus()
			if tg.ws.Signaled() {
				got = 128 + int(tg.ws.Signal())
			}
			if got != c.exit {
				t.Errorf("the kernel says exit status %d (%v); want %d", got, tg.ws, c.exit)
			}
		})
	}
}

// TestActSendErrors checks the refusals: nothing is sent, with a clear
// message and the documented status.
func TestActSendErrors(t *testing.T) {
	nstest.NeedNamespaces(t)
	free := freePID(t)
	r := sigview(t, nil, "send", strconv.Itoa(free))
	if r.code != 1 {
		t.Errorf("send to the free PID %d: status %d, want 1", free, r.code)
	}
	// Never "process gone": as far as anyone can tell it never existed.
	has(t, "stderr", r.stderr, fmt.Sprintf("sigview: send SIGTERM to %d: no such process in /proc", free))

	// A SIGTERM would end this plain (non-init) sleep at once.
	victim := startTarget(t, false, 0, "sleep", "1000")
	pid := strconv.Itoa(victim.pid)
	for _, tc := range []struct {
		args []string
		code int
		err  []string
	}{
		{[]string{"--read-only", "send", pid}, 1, []string{"sigview: send: ", "read-only"}},
		{[]string{"send", "--read-only", "-s", "KILL", pid}, 1, []string{"read-only"}},
		{[]string{"send", "--from", "moon", pid}, 2, []string{"sigview: --from moon: want host or inside", "run 'sigview send --help'"}},
		{[]string{"send", "-s", "NOSUCH", pid}, 2, []string{"sigview: --signal NOSUCH: ", "run 'sigview send --help'"}},
		{[]string{"send", "--watch", "0", pid}, 2, []string{"sigview: --watch 0: below the minimum of 100ms"}},
		{[]string{"send", pid, pid}, 2, []string{"exactly one target"}},
	} {
		r := sigview(t, nil, tc.args...)
		if r.code != tc.code {
			t.Errorf("sigview %q: status %d, want %d", tc.args, r.code, tc.code)
		}
		has(t, "stderr", r.stderr, tc.err...)
		time.Sleep(100 * time.Millisecond)
		victim.alive(t)
	}
}

// freePID is a PID no process has now.
func freePID(t *testing.T) int {
	b, err := os.ReadFile("/proc/sys/kernel/pid_max")
	if err != nil {
		t.Fatal(err)
	}
	max, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for p := max - 1; p > 300; p-- {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", p)); errors.Is(err, os.ErrNotExist) {
			return p
		}
	}
	t.Fatal("no free PID")
	return 0
}

// TestActTry runs entrypoints with `sigview try` and checks the report, the
// status and (loosely) the timing.
func TestActTry(t *testing.T) {
	nstest.NeedNamespaces(t)
	tl := buildTools(t)
	cases := []struct {
		name string
		args []string
		code int
		min  time.Duration // the command takes at least this long
		want []string
	}{
		{"no handler needs SIGKILL", []string{"--grace", "2s", "--", "sleep", "1000"}, 3, 2 * time.Second,
			[]string{"predicted: no (dropped)", "SIGTERM did not end it; SIGKILL after", "exit status 137", "the prediction held",
				"Fix: ", "result: needed SIGKILL"}},
		{"SIGTERM handler", []string{"--grace", "30s", "--", tl.initprog, "handler"}, 0, 0,
			[]string{"predicted: depends (handled)", "SIGTERM ended it after", "exit status 0", "the program's own code decided",
				"result: the stop signal ended it"}},
		{"shell without exec", []string{"--grace", "1s", "--", "sh", "-c", "sleep 1000; true"}, 3, time.Second,
			// sleep has no SIGTERM handler: exec'd, it would ignore SIGTERM
			// as PID 1 too, so the fix is tini, not exec.
			[]string{"recognised as: shell", "exit status 137", "the prediction held", "--init (tini)", "sleep (PID 2 inside) has no SIGTERM handler"}},
		{"tini forwards", []string{"--grace", "30s", "--", "tini", "--", "sleep", "1000"}, 0, 0,
			[]string{"recognised as: tini", "predicted: yes (forwarded)", "SIGTERM ended it after", "exit status 143",
				"the prediction held"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := sigview(t, nil, append([]string{"try"}, c.args...)...)
			if r.code != c.code {
				t.Errorf("status %d, want %d", r.code, c.code)
			}
			has(t, "report", r.stdout, append([]string{"ran as PID 1 of a new PID namespace"}, c.want...)...)
			if fix := strings.Contains(r.stdout, "\nFix: "); fix != (c.code == 3) {
				t.Errorf("Fix hint shown: %v; want it exactly when SIGKILL was needed", fix)
			}
			if r.took < c.min {
				t.Errorf("took %s, less than %s", r.took, c.min)
			}
			if c.code == 0 && r.took >= 30*time.Second {
				t.Errorf("took %s: the stop signal did not end it within the grace period", r.took)
			}
		})
	}
}

// TestActTryJSON checks that try --json decodes and agrees with the status.
func TestActTryJSON(t *testing.T) {
	nstest.NeedNamespaces(t)
	for _, c := range []struct {
		argv    []string
		endedBy string
		exit    int
		status  int
	}{
		{[]string{"sleep", "1000"}, "SIGKILL", 137, 3},
		{[]string{"tini", "--", "sleep", "1000"}, "stop signal", 143, 0},
	} {
		t.Run(c.argv[0], func(t *testing.T) {
			t.Parallel()
			r := sigview(t, nil, append([]string{"try", "--json", "--grace", "1s", "--"}, c.argv...)...)
			var doc struct {
				Command   []string `json:"command"`
				Predicted *struct {
					Signal, From, Verdict string
				} `json:"predicted"`
				EndedBy  *string `json:"ended_by"`
				ExitCode *int    `json:"exit_code"`
				Held     *bool   `json:"prediction_held"`
				Status   *int    `json:"status"`
				HostPID  int     `json:"host_pid"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if doc.Predicted == nil || doc.EndedBy == nil || doc.ExitCode == nil || doc.Held == nil || doc.Status == nil {
				t.Fatalf("missing fields: %+v", doc)
			}
			if strings.Join(doc.Command, " ") != strings.Join(c.argv, " ") || doc.HostPID <= 0 {
				t.Errorf("command %q host_pid %d; want %q and a PID", doc.Command, doc.HostPID, c.argv)
			}
			if doc.Predicted.Signal != "SIGTERM" || doc.Predicted.From != "host" {
				t.Errorf("predicted %+v; want SIGTERM from host", *doc.Predicted)
			}
			if *doc.EndedBy != c.endedBy || *doc.ExitCode != c.exit || !*doc.Held {
				t.Errorf("ended_by %q exit_code %d held %v; want %q %d true", *doc.EndedBy, *doc.ExitCode, *doc.Held, c.endedBy, c.exit)
			}
			if *doc.Status != r.code || r.code != c.status {
				t.Errorf("status field %d, sigview exited %d; want both %d", *doc.Status, r.code, c.status)
			}
		})
	}
}

// TestActTryUnprivileged runs try as nobody: it needs a user namespace.
func TestActTryUnprivileged(t *testing.T) {
	nstest.NeedNamespaces(t)
	for path, off := range map[string]string{"/proc/sys/user/max_user_namespaces": "0",
		"/proc/sys/kernel/unprivileged_userns_clone": "0", "/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1"} {
		if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == off {
			nstest.Skip(t, "unprivileged-userns", "the kernel refuses unprivileged user namespaces: %s is %s", path, off)
		}
	}
	r := sigview(t, &syscall.Credential{Uid: 65534, Gid: 65534}, "try", "--grace", "1s", "--", "sleep", "1000")
	if r.code == 1 && strings.Contains(r.stderr, "unprivileged user namespaces may be disabled here") &&
		(strings.Contains(r.stderr, "operation not permitted") || strings.Contains(r.stderr, "no space left")) {
		nstest.Skip(t, "unprivileged-userns", "the kernel refuses unprivileged user namespaces: %s", r.stderr)
	}
	if r.code != 3 {
		t.Errorf("status %d, want 3", r.code)
	}
	has(t, "report", r.stdout, "ran as PID 1 of new user and PID namespaces", "exit status 137", "the prediction held")
}

// TestActSendZombieAndThread: a zombie is predicted "no (gone)" and a send
// to it says the prediction held (it had ended already); a thread's ID is
// refused, naming its process, and nothing is sent.
func TestActSendZombieAndThread(t *testing.T) {
	nstest.NeedNamespaces(t)
	// The child exits only when told, after its parent has become a sleep
	// that never waits, so it stays a zombie. (A child that exited before
	// the exec was reaped by bash's SIGCHLD handler on a loaded machine.)
	cue, tell, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer tell.Close()
	parent := exec.Command("bash", "-c", "head -c1 <&3 >/dev/null & exec sleep 1000")
	parent.ExtraFiles = []*os.File{cue}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	cue.Close()
	defer func() { parent.Process.Kill(); parent.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", parent.Process.Pid))
		if strings.TrimSpace(string(comm)) == "sleep" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bash %d did not exec sleep", parent.Process.Pid)
		}
	}
	if _, err := tell.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	var zombie int
	for deadline := time.Now().Add(10 * time.Second); zombie == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", parent.Process.Pid, parent.Process.Pid))
		for _, f := range strings.Fields(string(b)) {
			if st, _ := os.ReadFile("/proc/" + f + "/stat"); strings.Contains(string(st), ") Z ") {
				zombie, _ = strconv.Atoi(f)
			}
		}
	}
	if zombie == 0 {
		t.Fatal("no zombie child appeared")
	}
	r := sigview(t, nil, "send", "--watch", "200ms", strconv.Itoa(zombie))
	if r.code != 0 {
		t.Errorf("send to zombie %d: status %d, want 0 (predicted gone, and it was):\n%s%s", zombie, r.code, r.stdout, r.stderr)
	}
	has(t, "stdout", r.stdout, "as predicted (no, gone)")

	// A thread of this test binary (a Go program has several).
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	tid := 0
	for _, e := range ents {
		if n, _ := strconv.Atoi(e.Name()); n != os.Getpid() {
			tid = n
		}
	}
	if tid == 0 {
		t.Skip("this test binary has one thread")
	}
	r = sigview(t, nil, "send", "-s", "CONT", strconv.Itoa(tid))
	if r.code != 1 {
		t.Errorf("send to thread %d: status %d, want 1", tid, r.code)
	}
	has(t, "stderr", r.stderr, fmt.Sprintf("%d is a thread of process %d", tid, os.Getpid()))
	r = sigview(t, nil, "explain", strconv.Itoa(tid))
	has(t, "stderr", r.stderr, fmt.Sprintf("%d is a thread of process %d", tid, os.Getpid()))
}
