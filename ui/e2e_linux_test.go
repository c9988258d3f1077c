package ui_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// e2eDeadline bounds every wait on the screen; the UI rescans every 500ms.
const e2eDeadline = 10 * time.Second

// tmux is a private tmux server (its own socket) running one session "t".
type tmux struct{ name string }

func (tm tmux) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", tm.name}, args...)...).CombinedOutput()
	return string(out), err
}

func (tm tmux) capture() (string, error) { return tm.run("capture-pane", "-p", "-t", "t") }

func (tm tmux) keys(t *testing.T, keys ...string) {
	t.Helper()
	if out, err := tm.run(append([]string{"send-keys", "-t", "t"}, keys...)...); err != nil {
		t.Fatalf("tmux send-keys %q: %v: %s", keys, err, out)
	}
}

// waitFor polls the screen until cond holds and returns that screen; on
// timeout it fails with the last screen.
func (tm tmux) waitFor(t *testing.T, cond func(screen string) bool, what string) string {
	t.Helper()
	var screen string
	var err error
	for deadline := time.Now().Add(e2eDeadline); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if screen, err = tm.capture(); err == nil && cond(screen) {
			return screen
		}
	}
	t.Fatalf("timed out after %v waiting for %s (capture error: %v); last screen:\n%s", e2eDeadline, what, err, screen)
	return ""
}

// startInit starts sleep as PID 1 of a fresh PID namespace; cmd.Process.Pid
// is its host PID. Cleanup SIGKILLs it from the host, which is forced past
// init protection, and waits for it.
func startInit(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep in a new PID namespace: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// startInitCmd starts argv as PID 1 of a fresh PID namespace, killed
// from the host when the test ends.
func startInitCmd(t *testing.T, argv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v in a new PID namespace: %v", argv, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// hasPIDRow reports whether a table row has pid as a field.
func hasPIDRow(screen, pid string) bool {
	for _, l := range tableRows(screen) {
		if hasField(l, pid) {
			return true
		}
	}
	return false
}

func pidOf(c *exec.Cmd) string { return strconv.Itoa(c.Process.Pid) }

// sleepRows are the table rows of sleep inits.
func sleepRows(screen string) []string {
	var rows []string
	for _, l := range strings.Split(screen, "\n") {
		if hasField(l, "sleep") {
			rows = append(rows, l)
		}
	}
	return rows
}

// rowOf is the row of the sleep init with host PID pid, or "".
func rowOf(screen, pid string) string {
	for _, l := range sleepRows(screen) {
		if hasField(l, pid) {
			return l
		}
	}
	return ""
}

func hasField(line, f string) bool {
	for _, x := range strings.Fields(line) {
		if x == f {
			return true
		}
	}
	return false
}

// sleepVerdicts: SIGTERM inside and host and SIGKILL inside are dropped by
// init protection, SIGKILL from the host terminates.
func sleepVerdicts(row string) bool {
	i := strings.Index(row, "✓ yes terminates")
	return strings.Count(row, "✗ no dropped") == 3 && i > strings.LastIndex(row, "✗ no dropped")
}

// squeeze collapses each line's runs of blanks to one space.
func squeeze(screen string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// tableRows are the non-blank lines between the column header and the
// footer (the last line) of the main view.
func tableRows(screen string) []string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	var rows []string
	for i, in := 1, false; i < len(lines)-1; i++ {
		if in && strings.TrimSpace(lines[i]) != "" {
			rows = append(rows, lines[i])
		}
		in = in || strings.HasPrefix(lines[i], "PIDNS ")
	}
	return rows
}

// pidNSInodes lists the inodes of every PID namespace now on this machine.
func pidNSInodes() string {
	links, _ := filepath.Glob("/proc/[0-9]*/ns/pid")
	var b strings.Builder
	for _, l := range links {
		s, _ := os.Readlink(l)
		b.WriteString(s + " ")
	}
	return b.String()
}

// filter types "/", the text and Enter, and waits for the kept filter.
func (tm tmux) filter(t *testing.T, text string) {
	t.Helper()
	tm.keys(t, "/")
	tm.keys(t, "-l", text)
	tm.waitFor(t, func(s string) bool { return strings.Contains(s, "/"+text) }, "the filter line /"+text)
	tm.keys(t, "Enter")
	tm.waitFor(t, func(s string) bool { return strings.Contains(s, "filter: "+text+" (esc clears)") }, "the kept filter "+text)
}

// clearFilter presses Escape and waits for the unfiltered table.
func (tm tmux) clearFilter(t *testing.T) {
	t.Helper()
	tm.keys(t, "Escape")
	tm.waitFor(t, func(s string) bool { return !strings.Contains(s, "filter: ") && strings.Contains(s, "PIDNS") }, "the filter to clear")
}

// buildSigview needs tmux and builds sigview into a temporary directory.
func buildSigview(t *testing.T) string {
	t.Helper()
	nstest.NeedNamespaces(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("SIGVIEW_REQUIRE_NS") != "" {
			t.Fatalf("SIGVIEW_REQUIRE_NS is set but tmux is missing: %v", err)
		}
		t.Skipf("tmux not found: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "sigview")
	build := exec.Command("go", "build", "-o", bin, "./cmd/sigview")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/sigview: %v\n%s", err, out)
	}
	return bin
}

// startUI runs `bin --interval 500ms` in a private tmux server's session
// 160 columns wide and lines high; the server (and its socket file) go
// when the test ends.
func startUI(t *testing.T, bin string, lines int) tmux {
	t.Helper()
	tm := tmux{name: fmt.Sprintf("sigview-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	var sock string // tmux leaves its socket file behind
	t.Cleanup(func() {
		tm.run("kill-server")
		if sock != "" {
			os.Remove(sock)
		}
	})
	if out, err := tm.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "160", "-y", strconv.Itoa(lines),
		fmt.Sprintf("TERM=xterm-256color '%s' --interval 500ms", bin)); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	if out, err := tm.run("display-message", "-p", "#{socket_path}"); err == nil {
		sock = strings.TrimSpace(out)
	}
	return tm
}

func TestE2ELiveNamespaces(t *testing.T) {
	bin := buildSigview(t)
	a, b := startInit(t), startInit(t)
	tm := startUI(t, bin, 45)

	// The table may hold more namespaces than fit (go test ./... runs the
	// kernel tests, with dozens of inits, alongside), so every row is looked
	// for under a filter on its init's PID: a namespace matches when one of
	// its processes has exactly that PID.
	first := tm.waitFor(t, func(s string) bool { return strings.Contains(s, "namespaces · ") && len(tableRows(s)) > 0 },
		"the unfiltered namespace table")
	t.Logf("first screen:\n%s", first)

	// (1) Both inits, with their verdicts.
	for _, c := range []*exec.Cmd{a, b} {
		tm.filter(t, pidOf(c))
		tm.waitFor(t, func(s string) bool { r := rowOf(s, pidOf(c)); return r != "" && sleepVerdicts(r) },
			"the row of sleep init "+pidOf(c)+" with ✗ no dropped ×3, then ✓ yes terminates")
		tm.clearFilter(t)
	}

	// (1b) K keeps only the namespaces whose stop needs SIGKILL: a sleep
	// init's (docker stop's SIGTERM is dropped), not a tini init's (it
	// forwards SIGTERM and exits); s sorts, and the footer says by what.
	tini := startInitCmd(t, "tini", "-s", "--", "sleep", "1000")
	tm.filter(t, pidOf(tini))
	tm.waitFor(t, func(s string) bool { return hasPIDRow(s, pidOf(tini)) }, "the row of tini init "+pidOf(tini))
	tm.keys(t, "K")
	tm.waitFor(t, func(s string) bool {
		return !hasPIDRow(s, pidOf(tini)) && strings.Contains(s, "needs SIGKILL only (K: all)") && strings.Contains(s, "no namespace matches")
	}, "K to hide tini's namespace, whose stop does not need SIGKILL")
	tm.clearFilter(t)
	tm.filter(t, pidOf(a))
	kill := tm.waitFor(t, func(s string) bool {
		r := rowOf(s, pidOf(a))
		return r != "" && sleepVerdicts(r) && strings.Contains(s, "needs SIGKILL only (K: all)")
	}, "K to keep sleep init "+pidOf(a)+", whose stop needs SIGKILL")
	t.Logf("needs SIGKILL only, filtered:\n%s", kill)
	tm.keys(t, "K")
	tm.waitFor(t, func(s string) bool { return !strings.Contains(s, "(K: all)") }, "K again to show all")
	tm.clearFilter(t)
	tm.keys(t, "s")
	tm.waitFor(t, func(s string) bool { return strings.Contains(s, "sort: STOP time") }, "s to sort by STOP time")
	tm.keys(t, "s", "s", "s", "s", "s")
	tm.waitFor(t, func(s string) bool { return !strings.Contains(s, "sort: ") }, "s to come back to the tree")

	// (2) A namespace created while sigview runs shows up at a rescan.
	c := startInit(t)
	tm.filter(t, pidOf(c))
	tm.waitFor(t, func(s string) bool { r := rowOf(s, pidOf(c)); return r != "" && sleepVerdicts(r) },
		"the row of sleep init "+pidOf(c)+", started after sigview")
	tm.clearFilter(t)

	// (3) Kill one from the host; its row goes. Keep the one whose PID is in
	// no PID namespace inode, since the filter also matches inodes by
	// substring.
	inos := pidNSInodes()
	keep, gone := a, b
	if strings.Contains(inos, pidOf(a)) {
		keep, gone = b, a
	}
	if strings.Contains(inos, pidOf(keep)) {
		t.Fatalf("PIDs %s and %s are both substrings of PID namespace inodes: the filter cannot single one out", pidOf(a), pidOf(b))
	}
	tm.filter(t, pidOf(gone))
	tm.waitFor(t, func(s string) bool { return rowOf(s, pidOf(gone)) != "" }, "the row of sleep init "+pidOf(gone))
	if err := gone.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL %s from the host: %v", pidOf(gone), err)
	}
	if err := gone.Wait(); err == nil || gone.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("init %s after SIGKILL from the host: wait says %v, want killed by SIGKILL", pidOf(gone), err)
	}
	tm.waitFor(t, func(s string) bool { return rowOf(s, pidOf(gone)) == "" && strings.Contains(s, "filter: "+pidOf(gone)) },
		"the row of killed init "+pidOf(gone)+" to disappear")
	tm.clearFilter(t)

	// (4) Typing the remaining first init's PID narrows the table to its
	// namespace, under the host's as context; the header says "1 of N
	// shown"; Enter keeps the filter, and the cursor is on the match, not
	// on the context row above it (Enter then opens the match).
	tm.keys(t, "/")
	tm.keys(t, "-l", pidOf(keep))
	narrowed := func(s string) bool {
		rows := tableRows(s)
		return len(rows) == 2 && len(sleepRows(s)) == 1 && rowOf(s, pidOf(keep)) == rows[1] &&
			sleepVerdicts(rows[1]) && rowOf(s, pidOf(c)) == "" && rowOf(s, pidOf(gone)) == "" &&
			strings.Contains(s, "1 of ")
	}
	tm.waitFor(t, func(s string) bool { return narrowed(s) && strings.Contains(s, "/"+pidOf(keep)) },
		"the table to narrow to init "+pidOf(keep)+" while typing the filter")
	tm.keys(t, "Enter")
	mainScreen := tm.waitFor(t, func(s string) bool {
		return narrowed(s) && strings.Contains(s, "filter: "+pidOf(keep)+" (esc clears)")
	}, "the filter "+pidOf(keep)+" kept after Enter")
	t.Logf("main screen, filtered:\n%s", mainScreen)

	// (5) Detail of that namespace, then back.
	tm.keys(t, "Enter")
	detail := tm.waitFor(t, func(s string) bool {
		s = squeeze(s)
		return strings.Contains(s, "detail · ") && strings.Contains(s, "PID "+pidOf(keep)+" (sleep), PID 1 inside, the init of PID namespace ") &&
			strings.Contains(s, "\nWhat kill does\n") && strings.Contains(s, "\nSIGTERM inside ✗ no dropped\n") &&
			strings.Contains(s, "\nSIGTERM host ✗ no dropped\n") && strings.Contains(s, "\nSIGKILL host ✓ yes terminates\n") &&
			strings.Contains(s, "(SIGNAL_UNKILLABLE, sig_task_ignored)")
	}, "the detail view of init "+pidOf(keep)+" with SIGTERM dropped by init protection")
	t.Logf("detail screen (top):\n%s", detail)
	tm.keys(t, "G")
	bottom := tm.waitFor(t, func(s string) bool {
		s = squeeze(s)
		return strings.Contains(s, "\nSignals (non-default only; a: all 64)\n") && strings.Contains(s, "\nProcesses\n") &&
			strings.Contains(s, "\n"+pidOf(keep)+" 1 sleep S 1 ✗ no dropped\n")
	}, "the Signals and Processes sections, listing "+pidOf(keep)+" as PID 1 inside")
	t.Logf("detail screen (bottom):\n%s", bottom)
	tm.keys(t, "Escape")
	tm.waitFor(t, func(s string) bool {
		return rowOf(s, pidOf(keep)) != "" && strings.Contains(s, "PIDNS") && strings.Contains(s, "filter: "+pidOf(keep)) &&
			!strings.Contains(s, "detail · ") && !strings.Contains(s, "What kill does")
	}, "the filtered table after Escape")

	// (6) q quits: the session ends with the program.
	tm.keys(t, "q")
	for deadline := time.Now().Add(e2eDeadline); ; time.Sleep(100 * time.Millisecond) {
		if _, err := tm.run("has-session", "-t", "t"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			s, _ := tm.capture()
			t.Fatalf("session still alive %v after q; screen:\n%s", e2eDeadline, s)
		}
	}
}

// markedRow: the PIDNS cell of a namespace whose init dropped a signal in
// the last ten minutes ends with "!" (after the inode ino and its padding).
func markedRow(row, ino string) bool {
	i := strings.Index(row, ino)
	return i >= 0 && strings.HasPrefix(strings.TrimLeft(row[i+len(ino):], " "), "!")
}

// pidNSOf is the inode of pid's PID namespace.
func pidNSOf(t *testing.T, pid int) string {
	t.Helper()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(strings.TrimPrefix(l, "pid:["), "]")
}

// alive reports whether pid runs (is not gone or a zombie): the kernel's
// word that a signal did not end it.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] != 'Z'
}

// TestE2ESignals: the UI's signal log with the real recorder. A sleep init
// gets a SIGURG from the host (this test's process), which its default
// action ignores: the detail view's "Signals received" lists it, and its
// namespace's row is not marked. Then SIGTERM from the host, which the
// kernel drops (init protection: the sleep goes on running): the row is
// marked, "Signals received" shows the event with its sender, vantage,
// result and the prediction it agreed with, then the fate update; l opens
// the host-wide live log with the event. (The screen is 200 lines high:
// other tests on the machine signal their own inits, and the host-wide
// log shows theirs too, newest last.)
func TestE2ESignals(t *testing.T) {
	bin := buildSigview(t)
	a := startInit(t)
	pid := pidOf(a)
	ino := pidNSOf(t, a.Process.Pid)
	tm := startUI(t, bin, 200)
	tm.waitFor(t, func(s string) bool { return strings.Contains(s, "namespaces · ") && len(tableRows(s)) > 0 },
		"the unfiltered namespace table")
	tm.filter(t, pid)
	tm.waitFor(t, func(s string) bool { r := rowOf(s, pid); return r != "" && sleepVerdicts(r) && !markedRow(r, ino) },
		"the unmarked row of sleep init "+pid+" with its verdicts")
	if s, _ := tm.capture(); strings.Contains(s, "signal log unavailable") {
		t.Fatalf("the UI's recorder does not run here:\n%s", s)
	}
	me := strconv.Itoa(os.Getpid())
	received := func(s, sig string) string {
		for _, l := range strings.Split(squeeze(s), "\n") {
			if strings.Contains(l, sig+" from "+me+" ") {
				return l
			}
		}
		return ""
	}

	// SIGURG, whose default action is to ignore it: listed, no mark.
	if err := a.Process.Signal(syscall.SIGURG); err != nil {
		t.Fatalf("SIGURG %s: %v", pid, err)
	}
	tm.keys(t, "Enter")
	tm.waitFor(t, func(s string) bool { return strings.Contains(s, "detail · ") }, "the detail view of init "+pid)
	tm.keys(t, "G")
	tm.waitFor(t, func(s string) bool {
		l := received(s, "SIGURG")
		return strings.Contains(squeeze(s), "\nSignals received ") && strings.Contains(l, " (host): ignored")
	}, "the detail view's Signals received: SIGURG from "+me+" (host), ignored")
	tm.keys(t, "Escape")
	unmarked := tm.waitFor(t, func(s string) bool { return rowOf(s, pid) != "" && !strings.Contains(s, "detail · ") },
		"the table after Escape")
	if markedRow(rowOf(unmarked, pid), ino) {
		t.Fatalf("the row is marked for a SIGURG the init ignores by default:\n%s", unmarked)
	}

	// SIGTERM from the host: the kernel drops it at the init.
	sent := time.Now()
	if err := a.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM %s: %v", pid, err)
	}
	marked := tm.waitFor(t, func(s string) bool { return markedRow(rowOf(s, pid), ino) },
		"the row of init "+pid+" to be marked after the dropped SIGTERM")
	t.Logf("marked row: %s", rowOf(marked, pid))
	if !alive(a.Process.Pid) {
		t.Fatalf("init %s ended on SIGTERM from the host: the kernel did not drop it", pid)
	}

	tm.keys(t, "Enter")
	tm.waitFor(t, func(s string) bool { return strings.Contains(s, "detail · ") }, "the detail view of init "+pid)
	tm.keys(t, "G")
	detail := tm.waitFor(t, func(s string) bool {
		l := received(s, "SIGTERM")
		return strings.HasPrefix(l, "✓ ") && strings.Contains(l, " (host): ignored") &&
			strings.Contains(l, "predicted no (dropped)") && strings.Contains(l, "still running")
	}, "the detail view's Signals received: SIGTERM from "+me+" (host), ignored, still running, agreeing with the prediction no (dropped)")
	t.Logf("Signals received: %q, %q", received(detail, "SIGURG"), received(detail, "SIGTERM"))
	if time.Since(sent) < 2*time.Second {
		t.Errorf("the fate came %v after the signal, before the 2 s the watcher waits", time.Since(sent))
	}
	if !alive(a.Process.Pid) {
		t.Fatalf("init %s ended after the dropped SIGTERM", pid)
	}

	// l: the whole host's live log, with the event. It keeps the newest 500
	// lines and opens at its end: a storm of signals elsewhere on the
	// machine (another test's, 1,000 a second) can push a line out within
	// a second. Then another SIGTERM (to the test's own init) and a look
	// again, up to five times.
	tm.keys(t, "Escape")
	tm.waitFor(t, func(s string) bool { return !strings.Contains(s, "detail · ") }, "the table after Escape")
	want := "SIGTERM to " + pid + " sleep"
	for try := 1; ; try++ {
		if try > 1 {
			if err := a.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatalf("SIGTERM %s: %v", pid, err)
			}
		}
		tm.keys(t, "l")
		var s string
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if s, _ = tm.capture(); strings.Contains(s, want) && strings.Contains(s, "l or esc closes") {
				break
			}
		}
		if strings.Contains(s, want) && strings.Contains(s, "l or esc closes") {
			t.Logf("the l overlay has %q (look %d)", want, try)
			break
		}
		if try == 5 {
			t.Fatalf("the l overlay has no %q at its end after 5 SIGTERMs; last screen:\n%s", want, s)
		}
		tm.keys(t, "l")
		tm.waitFor(t, func(s string) bool { return !strings.Contains(s, "l or esc closes") }, "l to close the log")
	}
	tm.keys(t, "l")
	tm.waitFor(t, func(s string) bool { return !strings.Contains(s, "l or esc closes") && markedRow(rowOf(s, pid), ino) },
		"l to close the log, back to the marked row")
}
