package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestSendDialog: F9 shows the prediction for the chosen signal and
// sender, and sends only on Enter. The command is never run here: it would
// signal a real process.
func TestSendDialog(t *testing.T) {
	m := selectNS(t, newTestModel(t, 120, 40), ctNS)
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyF9})
	if m.dialog == nil {
		t.Fatalf("F9 did not open the send dialog")
	}
	if s := screen(m); !strings.Contains(s, "Send a signal to this PID namespace's init, myinit (PID 4242)") || !strings.Contains(s, "prediction:") {
		t.Errorf("dialog lacks its target or prediction:\n%s", s)
	}
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyRight})
	if got := m.dialog.signal(); got != procinspect.SIGKILL {
		t.Errorf("after → the signal is %s; want SIGKILL", got)
	}
	if s := screen(m); !strings.Contains(s, "✓ yes terminates") {
		t.Errorf("SIGKILL from the host should predict yes:\n%s", s)
	}
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyTab})
	if m.dialog.from() != predict.Inside || !strings.Contains(screen(m), "✗ no dropped") {
		t.Errorf("tab should switch to inside, where SIGKILL is dropped:\n%s", screen(m))
	}
	next, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if cmd != nil || next.(Model).dialog != nil {
		t.Errorf("Esc must close the dialog without a command")
	}
	next, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m = next.(Model)
	if cmd == nil || !m.dialog.sending {
		t.Fatalf("Enter must start the send")
	}
	m = update(t, m, sendResultMsg{rep: act.SendReport{Summary: "sent SIGKILL from inside; still alive 2.0 s later, as predicted",
		Held: procinspect.KnownFlag(true)}})
	if s := screen(m); !strings.Contains(s, "still alive 2.0 s later, as predicted") {
		t.Errorf("the result is not shown:\n%s", s)
	}
	m = update(t, m, keyMsg("x"))
	if m.dialog != nil {
		t.Errorf("any key should close the result")
	}
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyF9})
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	m = update(t, m, sendResultMsg{err: errors.New("PID 4242 started at tick 5, not 4 as shown: the PID now belongs to another process")})
	if s := screen(m); !strings.Contains(s, "not sent: PID 4242 started at tick 5") {
		t.Errorf("a refused send must say so:\n%s", s)
	}
}

func TestSendReadOnly(t *testing.T) {
	m := New(procinspect.Scanner{Root: fixtureRoot, SelfNS: fixtureSelf}, Options{Interval: time.Second, ReadOnly: true})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m = update(t, m, scanResultMsg{as: assessed(fixtureSnap(t))})
	next, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyF9})
	m = next.(Model)
	if m.dialog != nil || cmd != nil {
		t.Errorf("read-only: F9 must not open a dialog")
	}
	if !strings.Contains(screen(m), "read-only: sending signals is turned off") {
		t.Errorf("read-only: F9 should say why:\n%s", screen(m))
	}
}

// TestReadOnlyToggle: R turns sending off and on, unless --read-only was
// given, and the header says so.
func TestReadOnlyToggle(t *testing.T) {
	m := newTestModel(t, 120, 30)
	m = press(t, m, "R")
	if !m.readOnly || !strings.Contains(screen(m), "[read-only]") {
		t.Fatalf("R should turn read-only on and show it:\n%s", screen(m))
	}
	if m = update(t, m, tea.KeyPressMsg{Code: tea.KeyF9}); m.dialog != nil {
		t.Errorf("F9 opened a dialog while read-only")
	}
	if m = press(t, m, "R"); m.readOnly {
		t.Errorf("R should turn read-only off again")
	}
	m = New(procinspect.Scanner{Root: fixtureRoot, SelfNS: fixtureSelf}, Options{ReadOnly: true})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	if m = press(t, m, "R"); !m.readOnly {
		t.Errorf("R must not undo --read-only")
	}
}

// TestGoldenSendDialog pins the F9 dialog: the default choice (SIGTERM
// from the host), then SIGKILL from inside.
func TestGoldenSendDialog(t *testing.T) {
	m := selectNS(t, newTestModel(t, 120, 40), ctNS)
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyF9})
	t.Run("term_host", func(t *testing.T) { golden.RequireEqual(t, []byte(screen(m))) })
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyRight})
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyTab})
	t.Run("kill_inside", func(t *testing.T) { golden.RequireEqual(t, []byte(screen(m))) })
}

// TestSendDialogFilterNote: after filtering by a PID that is not the init,
// F9 says it signals the init and how to signal that PID instead.
func TestSendDialogFilterNote(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = press(t, m, "/", "4", "2", "5", "0", "enter") // 4250: a member of the container's namespace
	if m.snap.Process(4250) == nil {
		nstest.Skip(t, "fixture-missing-child", "fixture has no process 4250")
	}
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyF9})
	if s := screen(m); !strings.Contains(s, "the filter names PID 4250, which is not this namespace's init") {
		t.Errorf("F9 after filtering by PID 4250 does not say it signals the init:\n%s", s)
	}
}

// TestSendDialogInsideOnly: run inside a PID namespace (the viewer is the
// fixture container's namespace, not the host's), F9 on that namespace's
// init offers only the inside sender: a "host" send would come from inside
// too, and its prediction (the ancestor's SIGKILL) could not happen.
func TestSendDialogInsideOnly(t *testing.T) {
	sc := procinspect.Scanner{Root: fixtureRoot, SelfNS: fixtureRoot + "/4242/ns/pid"}
	snap, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if snap.Viewer.Initial.V || !snap.SendsFromInside(snap.Process(4242)) {
		t.Fatalf("fixture: viewer %+v; want it in the container's namespace", snap.Viewer)
	}
	m := New(sc, Options{Interval: time.Second})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = update(t, m, scanResultMsg{as: assessed(snap)})
	m = selectNS(t, m, ctNS)
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyF9})
	if m.dialog == nil || m.dialog.from() != predict.Inside || !strings.Contains(screen(m), "can send only from inside") {
		t.Fatalf("F9 in sigview's own namespace must offer inside only:\n%s", screen(m))
	}
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyRight}) // SIGKILL
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyTab})
	if m.dialog.from() != predict.Inside || !strings.Contains(screen(m), "✗ no dropped") {
		t.Errorf("tab must not switch to host; SIGKILL from inside is dropped:\n%s", screen(m))
	}
	next, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil || next.(Model).dialog.from() != predict.Inside {
		t.Errorf("Enter must send from inside")
	}
}

// TestSendDialogHostInitGuard: F9 on the machine's own PID 1 (the
// fixture's host, PID 1 of the initial namespace) sends only once its PID
// is typed; a wrong PID or none leaves Enter without a command. No command
// is ever run here.
func TestSendDialogHostInitGuard(t *testing.T) {
	m := newTestModel(t, 120, 40)
	if r := m.table.current(); r == nil || !r.hostInit || r.PID != "1" {
		t.Fatalf("the cursor should start on the host's row, PID 1: %+v", r)
	}
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyF9})
	if m.dialog == nil || !m.dialog.guard {
		t.Fatalf("F9 on the host's init: dialog %+v; want the guard", m.dialog)
	}
	if s := screen(m); !strings.Contains(s, "This is the machine's own init") || !strings.Contains(s, "type its PID, 1, to confirm: []") {
		t.Errorf("the guard does not ask for the PID:\n%s", s)
	}
	for _, typed := range [][]string{nil, {"2"}, {"1", "1"}, {"1", "1", "backspace", "backspace", "7"}} {
		d := m
		for _, k := range typed {
			if k == "backspace" {
				d = update(t, d, tea.KeyPressMsg{Code: tea.KeyBackspace})
			} else {
				d = update(t, d, keyMsg(k))
			}
		}
		next, cmd := d.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
		if cmd != nil || next.(Model).dialog == nil || next.(Model).dialog.sending {
			t.Errorf("typed %q, Enter: a command was made (or the dialog closed); want nothing sent", typed)
		}
	}
	d := update(t, m, keyMsg("1"))
	if !strings.Contains(screen(d), "[1]  enter sends it") {
		t.Errorf("after typing 1 the dialog should say Enter sends:\n%s", screen(d))
	}
	// The request the confirmed dialog would make carries the confirmation
	// (act.Send refuses the host's init without it); it is not run.
	_, req, open := d.dialog.update(tea.KeyPressMsg{Code: tea.KeyEnter}, d.keys)
	if req == nil || !open || req.PID != 1 || !req.HostInit {
		t.Errorf("typed 1, Enter: request %+v; want one for PID 1 with HostInit", req)
	}
	// A container's init needs no typing.
	c := update(t, selectNS(t, newTestModel(t, 120, 40), ctNS), tea.KeyPressMsg{Code: tea.KeyF9})
	if c.dialog == nil || c.dialog.guard {
		t.Errorf("F9 on a container's init should not ask for its PID")
	}
}
