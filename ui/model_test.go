package ui

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

const (
	fixtureRoot = "../procinspect/testdata/proc"
	fixtureSelf = "../procinspect/testdata/proc/1/ns/pid"
	ctNS        = 4026532201 // the fixture's container namespace (init 4242)
)

// fixtureSnap scans the fixture procfs with a fixed scan time.
func fixtureSnap(t *testing.T) *procinspect.Snapshot {
	t.Helper()
	snap, err := procinspect.Scanner{Root: fixtureRoot, SelfNS: fixtureSelf}.Scan()
	if err != nil {
		t.Fatalf("Scan(%s): %v", fixtureRoot, err)
	}
	snap.Time = time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)
	return snap
}

// newTestModel is a model of the given size that has received one scan.
func newTestModel(t *testing.T, w, h int) Model {
	t.Helper()
	m := New(procinspect.Scanner{Root: fixtureRoot, SelfNS: fixtureSelf}, Options{Interval: time.Second})
	m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return update(t, m, scanResultMsg{as: assessed(fixtureSnap(t)), took: 5 * time.Millisecond})
}

func update(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	next, _ := m.Update(msg)
	return next.(Model)
}

func press(t *testing.T, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m = update(t, m, keyMsg(k))
	}
	return m
}

// keyMsg builds a key press: a named key or one printable character.
func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func screen(m Model) string { return ansi.Strip(m.View().Content) }

func TestGoldens(t *testing.T) {
	for _, size := range []struct{ w, h int }{{60, 20}, {80, 24}, {100, 30}, {120, 30}, {160, 45}, {200, 30}} {
		name := func(s string) string { return s + "_" + strconv.Itoa(size.w) + "x" + strconv.Itoa(size.h) }
		t.Run(name("main"), func(t *testing.T) {
			golden.RequireEqual(t, []byte(screen(newTestModel(t, size.w, size.h))))
		})
		t.Run(name("detail"), func(t *testing.T) {
			m := selectNS(t, newTestModel(t, size.w, size.h), ctNS)
			golden.RequireEqual(t, []byte(screen(press(t, m, "enter"))))
		})
		t.Run(name("help"), func(t *testing.T) {
			golden.RequireEqual(t, []byte(screen(press(t, newTestModel(t, size.w, size.h), "?"))))
		})
	}
}

// selectNS moves the cursor down to the namespace with inode key.
func selectNS(t *testing.T, m Model, key uint64) Model {
	t.Helper()
	for range m.table.rows {
		if r := m.table.current(); r != nil && r.key.ino == key {
			return m
		}
		m = press(t, m, "down")
	}
	t.Fatalf("namespace %d not in the table", key)
	return m
}

func TestCursorMovesAndClamps(t *testing.T) {
	m := newTestModel(t, 80, 24)
	n := len(m.table.rows)
	if n < 3 {
		t.Fatalf("fixture gives %d rows; want at least 3", n)
	}
	m = press(t, m, "down", "down")
	if m.table.cursor != 2 {
		t.Errorf("cursor after 2 downs = %d; want 2", m.table.cursor)
	}
	m = press(t, m, "G")
	if m.table.cursor != n-1 {
		t.Errorf("cursor after G = %d; want %d", m.table.cursor, n-1)
	}
	m = press(t, m, "down", "j")
	if m.table.cursor != n-1 {
		t.Errorf("cursor past the end = %d; want %d", m.table.cursor, n-1)
	}
	m = press(t, m, "g", "up", "k")
	if m.table.cursor != 0 {
		t.Errorf("cursor after g and ups = %d; want 0", m.table.cursor)
	}
}

// TestSelectionFollowsNamespace: a rescan in which rows move keeps the
// cursor on the same namespace; a vanished namespace leaves it in range.
func TestSelectionFollowsNamespace(t *testing.T) {
	m := selectNS(t, newTestModel(t, 80, 24), ctNS)
	snap := fixtureSnap(t)
	// Drop the host namespace (the first row): every row moves up by one.
	snap.Namespaces = snap.Namespaces[1:]
	m = update(t, m, scanResultMsg{as: assessed(snap)})
	if r := m.table.current(); r == nil || r.key.ino != ctNS {
		t.Errorf("after a rescan the cursor is on %+v; want namespace %d", r, ctNS)
	}
	snap = fixtureSnap(t)
	var kept []*procinspect.Namespace
	for _, ns := range snap.Namespaces {
		if ns.ID.Ino != ctNS {
			kept = append(kept, ns)
		}
	}
	snap.Namespaces = kept
	m = update(t, m, scanResultMsg{as: assessed(snap)})
	if m.table.cursor < 0 || m.table.cursor >= len(m.table.rows) {
		t.Errorf("cursor %d out of range after the namespace vanished (%d rows)", m.table.cursor, len(m.table.rows))
	}
	if strings.Contains(screen(m), "4026532201") {
		t.Errorf("vanished namespace still on screen:\n%s", screen(m))
	}
}

func TestFilter(t *testing.T) {
	m := newTestModel(t, 160, 45)
	all := len(m.table.rows)
	m = press(t, m, "/", "4", "2", "4", "2")
	if got := m.table.matches(); got != 1 || m.table.current() == nil || m.table.current().key.ino != ctNS {
		t.Fatalf("filter 4242 matches %d rows, cursor on %+v; want only namespace %d, under the cursor", got, m.table.current(), ctNS)
	}
	if n := len(m.table.rows); n != 2 || !m.table.rows[0].context || m.table.rows[1].context {
		t.Errorf("filter 4242 shows %d rows; want the host's as context, then the match", n)
	}
	if !strings.Contains(screen(m), "1 of 4 shown") {
		t.Errorf("the header does not say how many match:\n%s", screen(m))
	}
	m = press(t, m, "enter")
	if m.filterOn || m.table.matches() != 1 {
		t.Errorf("Enter should keep the filter and close the input: filterOn=%v matches=%d", m.filterOn, m.table.matches())
	}
	// The bug this guards: Enter opened the context row (the host) instead
	// of the namespace that matched.
	if d := press(t, m, "enter"); d.view != detailView || d.detail.key.ino != ctNS {
		t.Errorf("Enter after the filter opened %v of %d; want the detail of %d", d.view, d.detail.key.ino, ctNS)
	}
	if !strings.Contains(screen(m), "filter: 4242") {
		t.Errorf("the footer does not show the kept filter:\n%s", screen(m))
	}
	m = press(t, m, "esc")
	if len(m.table.rows) != all {
		t.Errorf("Esc left %d rows; want all %d", len(m.table.rows), all)
	}
	m = press(t, m, "/", "z", "z", "q", "esc")
	if len(m.table.rows) != all || m.filterOn {
		t.Errorf("Esc in the input should clear it: rows=%d filterOn=%v", len(m.table.rows), m.filterOn)
	}
	m = press(t, m, "/", "n", "o", "m", "a", "t", "c", "h", "x")
	if len(m.table.rows) != 0 || !strings.Contains(screen(m), "no namespace matches") {
		t.Errorf("a filter matching nothing should say so:\n%s", screen(m))
	}
}

func TestDetailAndBack(t *testing.T) {
	m := selectNS(t, newTestModel(t, 120, 60), ctNS)
	m = press(t, m, "enter")
	if m.view != detailView || m.detail.key.ino != ctNS {
		t.Fatalf("Enter: view %v key %d; want detail of %d", m.view, m.detail.key.ino, ctNS)
	}
	s := screen(m)
	for _, want := range []string{"What kill does", "SIGTERM", "SIGKILL", "Signals", "Processes", "4242"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail view lacks %q:\n%s", want, s)
		}
	}
	if got := signalNumbers(m.detail.vp.GetContent()); len(got) == 0 || len(got) >= 64 {
		t.Errorf("before 'a' the detail view lists signals %v; want only the non-default ones", got)
	}
	m = press(t, m, "a")
	if !m.detail.all {
		t.Errorf("'a' did not switch to all 64 signals")
	}
	got := signalNumbers(m.detail.vp.GetContent())
	if len(got) != 64 {
		t.Errorf("after 'a' the detail view lists %d signals %v; want 1 to 64", len(got), got)
	}
	for i, n := range got {
		if n != i+1 {
			t.Errorf("after 'a' signal row %d is signal %d; want %d (1 to 64 in order): %v", i, n, i+1, got)
			break
		}
	}
	m = press(t, m, "esc")
	if m.view != mainView {
		t.Errorf("Esc: view %v; want main", m.view)
	}
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := newTestModel(t, 80, 24).Update(keyMsg(k))
		if cmd == nil {
			t.Fatalf("%s returned no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s does not quit", k)
		}
	}
}

// TestScanErrorKeepsSnapshot: a failed scan shows in the header, and the
// last good snapshot stays.
func TestScanErrorKeepsSnapshot(t *testing.T) {
	m := newTestModel(t, 120, 30)
	m = update(t, m, scanErrMsg{errors.New("open procfs /proc: permission denied")})
	s := screen(m)
	if !strings.Contains(s, "last scan failed: open procfs /proc: permission denied") {
		t.Errorf("header does not show the error:\n%s", s)
	}
	if !strings.Contains(s, "4242") {
		t.Errorf("the last snapshot's rows are gone:\n%s", s)
	}
	m = New(procinspect.Scanner{Root: "/nonexistent"}, Options{})
	m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = update(t, m, scanErrMsg{errors.New("list /nonexistent: no such file")})
	if s := screen(m); !strings.Contains(s, "scan failed: list /nonexistent") {
		t.Errorf("first scan failure not shown:\n%s", s)
	}
}

// TestOneScanInFlight: ticks while a scan runs do not start another, and
// r starts one only when idle.
func TestOneScanInFlight(t *testing.T) {
	m := newTestModel(t, 80, 24)
	if m.scanning {
		t.Fatalf("scanning after a result")
	}
	m = press(t, m, "r")
	if !m.scanning {
		t.Errorf("r did not start a scan")
	}
	if _, cmd := m.Update(keyMsg("r")); cmd != nil {
		t.Errorf("r during a scan returned a command; want none")
	}
	next, cmd := m.Update(tickMsg(time.Now()))
	if cmd == nil || !next.(Model).scanning {
		t.Fatalf("tick must reschedule itself")
	}
	m = update(t, next.(Model), scanResultMsg{as: assessed(fixtureSnap(t))})
	if m.scanning {
		t.Errorf("still scanning after the result")
	}
}

// TestHostileNamesNeverRaw: names with escape sequences and invalid UTF-8
// reach the screen escaped, in the table and in the detail view.
func TestHostileNamesNeverRaw(t *testing.T) {
	m := newTestModel(t, 160, 45)
	views := []string{m.View().Content, press(t, m, "enter").View().Content}
	// The hostile processes live in the host namespace; its whole detail
	// content lists them.
	snap := fixtureSnap(t)
	views = append(views, renderDetail(assessed(snap), snap.Namespaces[0], true, m.styles, 160))
	for i, v := range views {
		plain := ansi.Strip(v)
		for _, bad := range []string{"\x1b]", "\x07", "\xe9", "\ufffd"} {
			if strings.Contains(plain, bad) {
				t.Errorf("view %d carries a raw %q", i, bad)
			}
		}
	}
	if !strings.Contains(ansi.Strip(views[2]), `\x1b`) {
		t.Errorf("the escaped hostile name is not shown:\n%s", ansi.Strip(views[2]))
	}
}

func TestNoColor(t *testing.T) {
	m := New(procinspect.Scanner{Root: fixtureRoot, SelfNS: fixtureSelf}, Options{NoColor: true})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m = update(t, m, scanResultMsg{as: assessed(fixtureSnap(t))})
	if v := m.View().Content; strings.Contains(v, "38;") || strings.Contains(v, "48;") {
		t.Errorf("NO_COLOR view carries colour sequences: %q", v)
	}
	if s := screen(m); !strings.Contains(s, "✗ no") || !strings.Contains(s, "✓ yes") {
		t.Errorf("verdicts must read without colour:\n%s", s)
	}
}

// signalNumbers returns the signal numbers of the detail view's signal
// table, in the order of its rows (a row starts with the number and then
// the signal's name).
func signalNumbers(content string) []int {
	var out []int
	for _, line := range strings.Split(ansi.Strip(content), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasPrefix(f[1], "SIG") {
			continue
		}
		if n, err := strconv.Atoi(f[0]); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// TestSmallTerminals checks what the goldens show at 80×24 and 60×20: the
// footer keeps "? help" and "q quit", and all four verdict columns stay.
func TestSmallTerminals(t *testing.T) {
	for _, size := range []struct{ w, h int }{{60, 20}, {80, 24}} {
		m := newTestModel(t, size.w, size.h)
		lines := strings.Split(screen(m), "\n")
		if foot := lines[len(lines)-1]; !strings.Contains(foot, "? help") || !strings.Contains(foot, "q quit") {
			t.Errorf("%dx%d: footer %q lacks ? help or q quit", size.w, size.h, foot)
		}
		for _, l := range lines {
			if n := ansi.StringWidth(l); n > size.w {
				t.Errorf("%dx%d: line wider than the terminal (%d): %q", size.w, size.h, n, l)
			}
		}
		var row string
		for _, l := range lines {
			if strings.Contains(l, "myinit") {
				row = l
			}
		}
		if row == "" || strings.Count(row, "?")+strings.Count(row, "✓")+strings.Count(row, "✗")+strings.Count(row, "~") != 4 {
			t.Errorf("%dx%d: the container's row does not keep four verdict cells: %q", size.w, size.h, row)
		}
	}
}

func TestWarningsOverlay(t *testing.T) {
	m := newTestModel(t, 80, 24)
	if !strings.Contains(screen(m), "w: 5 warnings") { // the fixture's dockerd, in a container, is not trusted for it
		t.Fatalf("the header does not point at w:\n%s", screen(m))
	}
	m = press(t, m, "w")
	s := screen(m)
	if !strings.Contains(s, "Warnings of the last scan") || !strings.Contains(s, "malformed status lines") {
		t.Errorf("w does not show the warnings:\n%s", s)
	}
	if m = press(t, m, "esc"); m.showWarnings || strings.Contains(screen(m), "Warnings of the last scan") {
		t.Errorf("esc does not close the warnings")
	}
}

func TestHelpScrolls(t *testing.T) {
	m := press(t, newTestModel(t, 60, 20), "?")
	top := screen(m)
	m = press(t, m, "pgdown")
	if screen(m) == top {
		t.Errorf("pgdown does not scroll the help at 60x20:\n%s", top)
	}
	if m = press(t, m, "G"); !strings.Contains(screen(m), "closes this help") {
		t.Errorf("the end of the help is not reachable:\n%s", screen(m))
	}
}

func TestPlurals(t *testing.T) {
	for n, want := range map[int]string{0: "0 processes", 1: "1 process", 2: "2 processes"} {
		if got := render.Plural(n, "process"); got != want {
			t.Errorf("Plural(%d, process) = %q, want %q", n, got, want)
		}
	}
	if got := render.Plural(1, "init"); got != "1 init" {
		t.Errorf("Plural(1, init) = %q", got)
	}
}

// assessed is what the scan command gives Update: the snapshot, assessed.
func assessed(s *procinspect.Snapshot) *predict.Assessments { return predict.Assess(s, s.Kernel) }

// TestFilterSkipsHostInit: a filter that matches processes of the host and
// of a namespace below lands the cursor on the namespace below, never on
// the machine's PID 1; only a filter that matches nothing else may.
func TestFilterSkipsHostInit(t *testing.T) {
	m := press(t, newTestModel(t, 160, 45), "/", "s")
	if len(m.table.rows) < 2 || !m.table.rows[0].hostInit || m.table.rows[0].context {
		t.Fatalf("filter s: the host's row does not match (rows %+v); the test needs it to", m.table.rows)
	}
	if r := m.table.current(); r == nil || r.hostInit || r.context {
		t.Errorf("filter s put the cursor on %+v; want the first namespace below the host that matched", r)
	}
	m = press(t, newTestModel(t, 160, 45), "/", "s", "y", "s", "t", "e", "m", "d")
	if r := m.table.current(); m.table.matches() != 1 || r == nil || !r.hostInit {
		t.Errorf("filter systemd (only the host matches): cursor on %+v; want the host's row", r)
	}
}

// TestGoldenContainers: the container column from 100 columns, with a
// long image and --init: at 100 the image is cut or left out, never the
// --init marker; at 120 and 200 more of the image shows, and NAME and
// PIDNS give up width first.
func TestGoldenContainers(t *testing.T) {
	snap := fixtureSnap(t)
	for _, ns := range snap.Namespaces {
		if m := ns.Engine(); m != nil && m.Name == "web1" {
			m.Image = "registry.example.com/shop/web-frontend:1.2.3"
			m.Init.Known, m.Init.Value = true, true
		}
	}
	for _, w := range []int{100, 120, 200} {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			m := New(procinspect.Scanner{Root: fixtureRoot, SelfNS: fixtureSelf}, Options{Interval: time.Second})
			m = update(t, m, tea.WindowSizeMsg{Width: w, Height: 12})
			m = update(t, m, scanResultMsg{as: assessed(snap), took: 5 * time.Millisecond})
			s := screen(m)
			var row string
			for _, l := range strings.Split(s, "\n") {
				if strings.Contains(l, "4242") {
					row = l
				}
			}
			if !strings.Contains(row, "docker web1 (") || !strings.Contains(row, "--init)") {
				t.Errorf("%d columns: the container cell lost its name or --init marker: %q", w, row)
			}
			golden.RequireEqual(t, []byte(s))
		})
	}
}

// TestDetailScansAfterPaint: Enter paints the detail view from the last
// snapshot without a scan beside it (issue 19: at 20,000 processes the
// scan shared the two cores with the first paint); the scan that reads the
// namespace's processes in depth starts on the message that follows it,
// and only while that namespace is still shown.
func TestDetailScansAfterPaint(t *testing.T) {
	m := selectNS(t, newTestModel(t, 120, 60), ctNS)
	next, cmd := m.Update(keyMsg("enter"))
	m = next.(Model)
	if m.scanning {
		t.Error("Enter started a scan beside the detail view's first paint")
	}
	if cmd == nil {
		t.Fatal("Enter asked for no scan of the namespace's processes")
	}
	msg, ok := cmd().(deepScanMsg)
	if !ok || msg.key.ino != ctNS {
		t.Fatalf("Enter's command gave %#v; want the deep scan of namespace %d", msg, ctNS)
	}
	if deep := m.nextScanner().Deep; !slices.Contains(deep, 4242) {
		t.Errorf("the detail view's scan reads in depth %v; want its init 4242 among them", deep)
	}
	if got := update(t, m, msg); !got.scanning {
		t.Error("the deep scan message started no scan")
	}
	if _, cmd := press(t, m, "esc").Update(msg); cmd != nil {
		t.Error("the deep scan message started a scan after the detail view was left")
	}
}
