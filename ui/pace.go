package ui

import (
	"os"
	"reflect"
	"sync"
	"time"
	"unsafe"

	tea "charm.land/bubbletea/v2"
)

// Bubble Tea v2.1.1 writes frames out from a ticker that runs at the frame
// rate for the program's whole life (Program.startRenderer), whether or not
// a frame changed. Each tick wakes the process, and with it the Go
// runtime's monitor and scheduler: on the test VM those 30 wakeups a second
// cost 0.5 % of a core, a third of the whole UI's CPU at 1,000 processes
// (issue 19). Upstream has open changes that tick only while a frame waits
// (charmbracelet/bubbletea#1776, #1796); until one lands, the pacer runs the
// program's own ticker:
//
//   - a frame changed (View, on the event loop): the next tick comes
//     leadFrame later, so a keypress reaches the screen within a few
//     milliseconds instead of up to a whole frame;
//   - the renderer wrote a frame out in a write begun after the change and
//     ended at least leadFrame after it (the output's Write, on the
//     renderer's goroutine): ticks every confirmFrame, for a frame stored
//     only after that flush had read the one before (a write begun before
//     the change is of an older frame, and leaves the lead on);
//   - settleAfter after the change, with no write in progress (the render
//     that stores a frame may wait for it, and a Reset then would drop the
//     tick that came meanwhile) and one confirming tick passed (taken now
//     if the frame's write was never seen): ticks every idleFrame, which
//     still writes out anything queued (terminal queries) and any frame
//     missed.
//
// The ticker is the Program's unexported field "ticker", found by
// reflection once the program runs. If a Bubble Tea upgrade renames or
// retypes it, the pacer finds nothing and the program keeps its fixed rate,
// and TestPacerFindsTicker fails to say so.
const (
	leadFrame    = 4 * time.Millisecond
	confirmFrame = 50 * time.Millisecond
	settleAfter  = 120 * time.Millisecond
	idleFrame    = 500 * time.Millisecond
)

// resetter is a *time.Ticker, or a test's stand-in.
type resetter interface{ Reset(time.Duration) }

type pacer struct {
	prog   *tea.Program // set before it runs; nil in tests of the model alone
	looked bool         // programTicker was called (event loop only)
	last   string       // the last frame View returned (event loop only)

	mu      sync.Mutex
	t       resetter
	state   paceState
	changed time.Time   // when the last frame change was seen
	wroteAt time.Time   // when the write that ended the lead returned
	writing int         // writes in progress
	settle  *time.Timer // settleAfter the last change
	now     func() time.Time
}

type paceState int

const (
	paceIdle    paceState = iota // ticking every idleFrame
	paceLead                     // a changed frame waits: every leadFrame
	paceConfirm                  // written: every confirmFrame until settled
)

func newPacer() *pacer {
	p := &pacer{now: time.Now}
	p.settle = time.AfterFunc(time.Hour, p.settled)
	p.settle.Stop()
	return p
}

// shown is called with each frame View returns; a frame unlike the last
// speeds the ticker up until it is written out.
func (p *pacer) shown(frame string) {
	if p == nil || frame == p.last {
		return
	}
	p.last = frame
	if !p.looked {
		p.looked = true
		if t := programTicker(p.prog); t != nil {
			p.mu.Lock()
			p.t = t
			p.mu.Unlock()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.t == nil {
		return
	}
	// Reset even while already fast: the next tick comes leadFrame after
	// this change, so the write that ends the lead is of a later flush.
	p.t.Reset(leadFrame)
	p.state, p.changed = paceLead, p.now()
	p.settle.Reset(settleAfter)
}

// redraw makes the next frame count as changed: Bubble Tea redraws the
// whole screen after a resize even to the same size, with the same frame.
func (p *pacer) redraw() {
	if p != nil {
		p.last = ""
	}
}

// wrote is called after each write to the terminal, with the time
// writeStarts returned. A write that began before the change is of a
// frame read before it (a flush blocked on the terminal): it leaves the
// lead on, so the tick that came meanwhile is not dropped by a Reset.
func (p *pacer) wrote(start time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writing--
	if p.state == paceLead && !start.Before(p.changed) && p.now().Sub(p.changed) >= leadFrame {
		p.t.Reset(confirmFrame)
		p.state, p.wroteAt = paceConfirm, p.now()
	}
}

// writeStarts is called before each write to the terminal.
func (p *pacer) writeStarts() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writing++
	return p.now()
}

// settled puts the ticker back to idleFrame (the settle timer's function).
func (p *pacer) settled() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == paceIdle {
		return
	}
	now := p.now()
	if since := now.Sub(p.changed); since < settleAfter {
		p.settle.Reset(settleAfter - since) // a change came as this fired
		return
	}
	// Slowing down now could leave the last frame for idleFrame: a write
	// still blocks (the render that stores the frame waits for it, and the
	// Reset would drop a tick that came meanwhile); the frame's write was
	// never seen; or the confirming tick has not come yet.
	switch {
	case p.writing > 0:
		p.settle.Reset(confirmFrame)
		return
	case p.state == paceLead:
		p.t.Reset(confirmFrame)
		p.state, p.wroteAt = paceConfirm, now
		p.settle.Reset(confirmFrame + leadFrame)
		return
	case now.Sub(p.wroteAt) < confirmFrame+leadFrame:
		p.settle.Reset(confirmFrame + leadFrame - now.Sub(p.wroteAt))
		return
	}
	p.t.Reset(idleFrame)
	p.state = paceIdle
}

// output is the program's output: the terminal, with the pacer told of
// every write. It is a term.File (Read, Write, Close, Fd), so Bubble Tea
// still finds the terminal behind it (its size, the colour profile); it
// does not embed the file, whose other writers (WriteString, ReadFrom)
// would write unseen. Not being an *os.File, it would reach a child run
// with tea.Exec as a pipe, not the terminal: the UI runs none.
func (p *pacer) output(f *os.File) *paceOut { return &paceOut{f: f, p: p} }

type paceOut struct {
	f *os.File
	p *pacer
}

func (o *paceOut) Write(b []byte) (int, error) {
	start := o.p.writeStarts()
	n, err := o.f.Write(b)
	o.p.wrote(start)
	return n, err
}

func (o *paceOut) Read(b []byte) (int, error) { return o.f.Read(b) }
func (o *paceOut) Close() error               { return o.f.Close() }
func (o *paceOut) Fd() uintptr                { return o.f.Fd() }

// programTicker is the renderer's ticker of a running program, or nil when
// the program has no field "ticker" of type *time.Ticker (another Bubble
// Tea) or has not started its renderer. The field is written only by
// Program.Run before its event loop starts, on the goroutine that then runs
// the loop, where this is called.
func programTicker(prog *tea.Program) *time.Ticker {
	if prog == nil {
		return nil
	}
	f := reflect.ValueOf(prog).Elem().FieldByName("ticker")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*time.Ticker]() {
		return nil
	}
	return *(**time.Ticker)(unsafe.Pointer(f.UnsafeAddr()))
}
