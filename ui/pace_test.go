package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// fakeTicker records the periods it is reset to.
type fakeTicker struct{ resets []time.Duration }

func (f *fakeTicker) Reset(d time.Duration) { f.resets = append(f.resets, d) }

func (f *fakeTicker) last() time.Duration {
	if len(f.resets) == 0 {
		return 0
	}
	return f.resets[len(f.resets)-1]
}

// TestPacerStates walks the pacer through a change, a write too early to
// be of the changed frame, the write of it, and the settle timer, on a
// clock the test moves.
func TestPacerStates(t *testing.T) {
	p := newPacer()
	// The test calls settled itself: a real settle timer would call it
	// too, on its own goroutine, whenever the test stalls settleAfter.
	p.settle = time.AfterFunc(time.Hour, func() {})
	defer p.settle.Stop()
	ft := &fakeTicker{}
	clock := time.Unix(1000, 0)
	p.now = func() time.Time { return clock }
	p.looked, p.t = true, ft
	// write is a write to the terminal that takes took.
	write := func(took time.Duration) {
		start := p.writeStarts()
		clock = clock.Add(took)
		p.wrote(start)
	}

	p.shown("a")
	if ft.last() != leadFrame || p.state != paceLead {
		t.Fatalf("after a change: ticker %v, state %v; want %v, lead", ft.last(), p.state, leadFrame)
	}
	n := len(ft.resets)
	p.shown("a")
	if len(ft.resets) != n {
		t.Fatalf("the same frame again reset the ticker: %v", ft.resets)
	}

	clock = clock.Add(leadFrame / 2)
	write(0) // a flush that may have read the frame before this change
	if p.state != paceLead {
		t.Fatalf("a write %v after the change ended the lead", leadFrame/2)
	}
	clock = clock.Add(leadFrame)
	write(0)
	if ft.last() != confirmFrame || p.state != paceConfirm {
		t.Fatalf("after the frame's write: ticker %v, state %v; want %v, confirm", ft.last(), p.state, confirmFrame)
	}

	// The settle timer firing early (a change came as it fired) leaves
	// the ticker fast.
	p.settled()
	if p.state != paceConfirm {
		t.Fatalf("settled %v after the change went idle", 3*leadFrame/2)
	}
	clock = clock.Add(settleAfter)
	p.settled()
	if ft.last() != idleFrame || p.state != paceIdle {
		t.Fatalf("after settling: ticker %v, state %v; want %v, idle", ft.last(), p.state, idleFrame)
	}
	n = len(ft.resets)
	write(0)
	p.settled()
	if len(ft.resets) != n {
		t.Fatalf("an idle pacer reset the ticker on a write or a late timer: %v", ft.resets[n:])
	}

	// A change while confirming starts a new lead, whose own write ends it.
	p.shown("b")
	clock = clock.Add(leadFrame)
	write(0)
	if p.state != paceConfirm {
		t.Fatalf("state %v after the second change's write; want confirm", p.state)
	}

	// No write at all (a change the renderer found nothing to draw for,
	// or a render that has not stored the frame yet): the settle timer
	// ends the lead, but through one confirmFrame before going idle.
	p.shown("c")
	clock = clock.Add(settleAfter)
	p.settled()
	if ft.last() != confirmFrame || p.state != paceConfirm {
		t.Fatalf("unwritten change, settled: ticker %v, state %v; want %v, confirm", ft.last(), p.state, confirmFrame)
	}
	clock = clock.Add(confirmFrame + leadFrame)
	p.settled()
	if ft.last() != idleFrame || p.state != paceIdle {
		t.Fatalf("unwritten change: ticker %v, state %v; want %v, idle", ft.last(), p.state, idleFrame)
	}

	// A write that began before the change (a flush blocked on the
	// terminal while render waits to store the new frame) does not end
	// the lead however long it took, and the pacer does not slow down
	// while it blocks.
	start := p.writeStarts()
	clock = clock.Add(time.Millisecond)
	p.shown("d")
	clock = clock.Add(settleAfter)
	n = len(ft.resets)
	p.settled()
	if p.state != paceLead || len(ft.resets) != n {
		t.Fatalf("settled during a blocked write: state %v, resets %v; want lead, none", p.state, ft.resets[n:])
	}
	p.wrote(start)
	if p.state != paceLead {
		t.Fatalf("a write begun before the change ended the lead")
	}
	write(0)
	if ft.last() != confirmFrame || p.state != paceConfirm {
		t.Fatalf("after the frame's write: ticker %v, state %v; want %v, confirm", ft.last(), p.state, confirmFrame)
	}
	// The confirming tick comes before the pacer goes idle.
	p.settled()
	if p.state != paceConfirm {
		t.Fatalf("went idle before the confirming tick")
	}
	clock = clock.Add(confirmFrame + leadFrame)
	p.settled()
	if p.state != paceIdle {
		t.Fatalf("state %v after the confirming tick; want idle", p.state)
	}
}

// paceModel shows its number; a paceMsg sets it, and with quiet its frame
// is not shown to the pacer.
type paceModel struct {
	n     int
	quiet bool
	pace  *pacer
}

type paceMsg struct {
	n     int
	quiet bool
}

func (m paceModel) Init() tea.Cmd { return nil }

func (m paceModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if p, ok := msg.(paceMsg); ok {
		m.n, m.quiet = p.n, p.quiet
	}
	return m, nil
}

func (m paceModel) View() tea.View {
	f := "frame-" + strings.Repeat("x", m.n) + "-end"
	if !m.quiet {
		m.pace.shown(f)
	}
	return tea.NewView(f)
}

// TestPacerFindsTicker runs a real Bubble Tea program under a pacer: the
// pacer must find the program's renderer ticker (a Bubble Tea upgrade that
// renames it fails here), and that ticker must be what writes frames out:
// stopped, a changed frame stays unwritten; reset by the pacer, it is
// written, and the pacer settles back to idle.
func TestPacerFindsTicker(t *testing.T) {
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	pace := newPacer()
	ctx, cancel := context.WithCancel(context.Background())
	pace.prog = tea.NewProgram(paceModel{pace: pace}, tea.WithInput(nil), tea.WithOutput(pace.output(out)),
		tea.WithWindowSize(80, 4), tea.WithoutSignalHandler(), tea.WithFPS(framesPerSecond), tea.WithContext(ctx))
	done := make(chan error, 1)
	go func() { _, err := pace.prog.Run(); done <- err }()
	defer func() { cancel(); <-done }()

	// The renderer writes the first frame whole and then only what
	// changed: a later frame shows as the output growing.
	size := func() int64 {
		st, err := out.Stat()
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	written := func(n int) bool {
		b, _ := os.ReadFile(out.Name())
		return strings.Contains(string(b), "frame-"+strings.Repeat("x", n)+"-end")
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	state := func() paceState { pace.mu.Lock(); defer pace.mu.Unlock(); return pace.state }
	waitFor("the first frame", func() bool { return written(0) })
	pace.mu.Lock()
	found := pace.t
	pace.mu.Unlock()
	if found == nil {
		t.Fatal("the pacer did not find the program's renderer ticker (Bubble Tea's Program.ticker): the UI ticks at a fixed rate")
	}
	waitFor("the pacer to settle", func() bool { return state() == paceIdle })

	// Stop the ticker (an hour's period) and change the frame behind the
	// pacer's back: with Bubble Tea's own 30 frames a second it would be
	// written within 33 ms.
	pace.mu.Lock()
	pace.t.Reset(time.Hour)
	pace.mu.Unlock()
	before := size()
	pace.prog.Send(paceMsg{n: 1, quiet: true})
	time.Sleep(300 * time.Millisecond)
	if after := size(); after != before {
		t.Fatalf("a frame was written (%d bytes) with the ticker the pacer found stopped: it is not the renderer's ticker", after-before)
	}
	pace.prog.Send(paceMsg{n: 2})
	waitFor("the changed frame to be written", func() bool { return size() > before })
	waitFor("the pacer to settle after the change", func() bool { return state() == paceIdle })
}
