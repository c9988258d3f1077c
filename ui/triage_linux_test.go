package ui

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
)

// startNS runs argv as PID 1 of a new PID namespace (killed from the host
// when the test ends) and returns its host PID.
func startNS(t *testing.T, argv ...string) int {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v in a new PID namespace: %v", argv, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

// TestNeedsKillAndSortKeys drives the main view's K and s keys over a real
// scan: a sleep init (SIGTERM dropped: docker stop needs SIGKILL) and a
// tini init (forwards SIGTERM to its child, which dies: it does not).
func TestNeedsKillAndSortKeys(t *testing.T) {
	nstest.NeedNamespaces(t)
	if _, err := exec.LookPath("tini"); err != nil {
		t.Fatalf("tini is needed (Debian package tini): %v", err)
	}
	sleepPID := startNS(t, "sleep", "1000")
	tiniPID := startNS(t, "tini", "-s", "--", "sleep", "1000")
	var snap *procinspect.Snapshot
	var sleepNS, tiniNS *procinspect.Namespace
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		snap, err = procinspect.Scanner{Root: "/proc"}.Scan()
		if err != nil {
			t.Fatal(err)
		}
		sleepNS, tiniNS = snap.NamespaceOf(snap.Process(sleepPID)), snap.NamespaceOf(snap.Process(tiniPID))
		// tini has started its child and waits in sigtimedwait: until
		// then (a loaded machine) its stop is not yet what it will be.
		if sleepNS != nil && tiniNS != nil && tiniNS.Init != nil && len(tiniNS.Procs) == 2 &&
			assessed(snap).Of(tiniNS.Init).NeedsSIGKILL() == procinspect.KnownFlag(false) || time.Now().After(deadline) {
			break
		}
	}
	if sleepNS == nil || tiniNS == nil || sleepNS.Init == nil || tiniNS.Init == nil {
		t.Fatalf("the scan did not find both inits (%d, %d)", sleepPID, tiniPID)
	}
	m := New(procinspect.Scanner{Root: "/proc"}, Options{Interval: time.Second})
	m = update(t, m, tea.WindowSizeMsg{Width: 200, Height: 60})
	m = update(t, m, scanResultMsg{as: assessed(snap), took: time.Millisecond})
	index := func(m Model, ns *procinspect.Namespace) int {
		for i, r := range m.table.rows {
			if r.key == keyOf(ns.ID) && !r.context {
				return i
			}
		}
		return -1
	}
	if index(m, sleepNS) < 0 || index(m, tiniNS) < 0 {
		t.Fatalf("both namespaces should show before K")
	}

	k := press(t, m, "K")
	if index(k, sleepNS) < 0 || index(k, tiniNS) >= 0 {
		t.Errorf("K (needs SIGKILL only): sleep's namespace shown %v, tini's shown %v; want only sleep's", index(k, sleepNS) >= 0, index(k, tiniNS) >= 0)
	}
	for _, r := range k.table.rows {
		if !r.context && !(r.NeedsSIGKILL.Known && r.NeedsSIGKILL.V) {
			t.Errorf("K shows %s (%s), whose stop %q does not need SIGKILL", r.ID, r.Name, r.Stop)
		}
	}
	if c := k.table.current(); c == nil || c.context || c.hostInit {
		t.Errorf("K put the cursor on %+v; want a matching namespace", c)
	}
	if s := screen(k); !strings.Contains(s, "needs SIGKILL only (K: all)") || !strings.Contains(s, " of ") {
		t.Errorf("K: the footer and header do not say so:\n%s", s)
	}
	if back := press(t, k, "K"); len(back.table.rows) != len(m.table.rows) {
		t.Errorf("K twice: %d rows; want all %d", len(back.table.rows), len(m.table.rows))
	}

	// s sorts by STOP's expected seconds, longest first: sleep's docker
	// stop takes the full 10 s, tini's ends at once.
	s := press(t, m, "s")
	if i, j := index(s, sleepNS), index(s, tiniNS); i < 0 || j < 0 || i > j {
		t.Errorf("s (STOP time): sleep's row at %d, tini's at %d; want sleep's first", i, j)
	}
	last := -1
	for _, r := range s.table.rows {
		if !r.StopSeconds.Known {
			last = 1 << 30
			continue
		}
		if last == 1<<30 || last >= 0 && r.StopSeconds.V > last {
			t.Errorf("s: rows not by STOP time, longest first, unknown last: %s after %d", r.Stop, last)
		}
		last = r.StopSeconds.V
	}
	if !strings.Contains(screen(s), "sort: STOP time") {
		t.Errorf("s: the footer does not name the sort:\n%s", screen(s))
	}
	// Below 190 columns STOP shows only while the rows are sorted by it.
	narrow := update(t, m, tea.WindowSizeMsg{Width: 120, Height: 60})
	if strings.Contains(screen(narrow), "STOP") || !strings.Contains(screen(press(t, narrow, "s")), " STOP") {
		t.Errorf("at 120 columns STOP should show only when sorted by it")
	}
	// Each press moves to the next column; it comes back to the tree.
	c := s
	for range len(sortNames) - 1 {
		c = press(t, c, "s")
	}
	if c.sortBy != sortTree || index(c, sleepNS) != index(m, sleepNS) {
		t.Errorf("s %d times: sort %d, sleep's row at %d; want the tree again, at %d", len(sortNames), c.sortBy, index(c, sleepNS), index(m, sleepNS))
	}
}
