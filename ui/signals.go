package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/render"
	"github.com/sigview/sigview/procinspect/watch"
)

// The signal log: what sigview watch's recorder saw while the UI runs (the
// detail view's "Signals received", the main view's mark of an init that
// dropped a signal, and the l overlay with the live host-wide log).

// SignalSink carries the recorder's items to the UI. The recorder's
// goroutine calls Add for each item (copied: the watcher goes on
// completing its own) and Flush after each batch; Flush hands the batch
// over without ever waiting for the UI, so a storm of signals never slows
// a keypress: the UI takes batches when it gets to them.
type SignalSink struct {
	ch    chan []watch.Item
	batch []watch.Item
	// dropped counts items dropped since the last hand-over.
	dropped uint64
}

// maxPending bounds what Flush keeps while the UI has not taken the last
// batches; beyond it the oldest items are dropped (and counted as lost).
const maxPending = 5000

// NewSignalSink returns a sink for Options.Signals.
func NewSignalSink() *SignalSink { return &SignalSink{ch: make(chan []watch.Item, 16)} }

// Add queues one item.
func (s *SignalSink) Add(it watch.Item) {
	if ev, ok := it.(*watch.Event); ok {
		c := *ev
		it = &c
	}
	s.batch = append(s.batch, it)
}

// Flush hands the queued items to the UI if it can take them now.
func (s *SignalSink) Flush() {
	if len(s.batch) == 0 {
		return
	}
	if len(s.ch) == cap(s.ch) {
		// The UI has not taken the last batches: keep this one, within
		// bounds. Dropping the older half at once costs one copy per
		// maxPending/2 items, not one per item.
		if len(s.batch) > maxPending {
			k := len(s.batch) - maxPending/2
			s.dropped += uint64(k)
			s.batch = append([]watch.Item(nil), s.batch[k:]...)
		}
		return
	}
	out := s.batch
	if s.dropped > 0 {
		out = append([]watch.Item{&watch.Lost{Time: time.Now(), Count: s.dropped}}, out...)
	}
	s.ch <- out // room is there: only Flush sends
	s.batch, s.dropped = nil, 0
}

// signalsMsg is a batch of the recorder's items.
type signalsMsg []watch.Item

// signalGap is the least time between two batches the UI takes: each
// batch repaints the screen (a millisecond or so), and a trickle of
// signals came one batch each, ten a second on a busy test machine. What
// arrives in between waits in the sink and comes with the next batch.
const signalGap = 250 * time.Millisecond

// waitSignals takes the next batch, not before gap has passed, with every
// batch queued behind it (in a command's goroutine: Update never waits).
func waitSignals(ch <-chan []watch.Item, gap time.Duration) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		time.Sleep(gap)
		b, ok := <-ch
		if !ok {
			return nil
		}
		for {
			select {
			case more, ok := <-ch:
				if !ok {
					return signalsMsg(b)
				}
				b = append(b, more...)
				continue
			default:
			}
			return signalsMsg(b)
		}
	}
}

// Bounds of what the UI keeps.
const (
	logKeep      = 500 // the host-wide log
	perInitKeep  = 20  // the detail view's section
	droppedFresh = 10 * time.Minute
)

// sigLog is what the UI keeps of the recorder's events.
type sigLog struct {
	lines []string                  // the host-wide log, oldest first
	byNS  map[uint64][]*watch.Event // each namespace's last events, to its init
	byID  map[uint64]*watch.Event
	// dropped is when each namespace's init last dropped a signal.
	dropped map[uint64]time.Time
}

func newSigLog() *sigLog {
	return &sigLog{byNS: map[uint64][]*watch.Event{}, byID: map[uint64]*watch.Event{}, dropped: map[uint64]time.Time{}}
}

// apply takes a batch, and returns the namespaces whose inits' events it
// added to or completed.
func (l *sigLog) apply(items []watch.Item) map[uint64]bool {
	touched := map[uint64]bool{}
	for _, it := range items {
		l.lines = append(l.lines, render.WatchLine(it))
		switch v := it.(type) {
		case *watch.Event:
			if v.Target.NSPID != 1 {
				break
			}
			ns := v.Target.PIDNS
			evs := append(l.byNS[ns], v)
			if len(evs) > perInitKeep {
				delete(l.byID, evs[0].ID)
				evs = evs[1:]
			}
			l.byNS[ns], l.byID[v.ID] = evs, v
			touched[ns] = true
			// Dropped at the init, not a signal its disposition
			// ignores (a SIGCHLD, a SIGWINCH or SIGURG with no handler).
			if v.Dropped {
				l.dropped[ns] = v.Time
			}
		case *watch.Update:
			ev := l.byID[v.ID]
			if ev == nil {
				break
			}
			touched[ev.Target.PIDNS] = true
			if v.Delivery != "" {
				ev.Delivery = v.Delivery
				if v.Delivery == watch.Dropped {
					l.dropped[ev.Target.PIDNS] = v.Time
				}
			}
			if v.Fate != nil {
				ev.Fate = v.Fate
			}
			if v.Agrees != nil {
				ev.Agrees = v.Agrees
			}
		}
	}
	if n := len(l.lines) - logKeep; n > 0 {
		l.lines = append([]string(nil), l.lines[n:]...)
	}
	return touched
}

// droppedRecently reports whether ns's init dropped a signal in the last
// ten minutes.
func (l *sigLog) droppedRecently(ns uint64, now time.Time) bool {
	t, ok := l.dropped[ns]
	return ok && now.Sub(t) < droppedFresh
}

// marks are the namespaces the main view marks.
func (l *sigLog) marks(now time.Time) map[nsKey]bool {
	out := map[nsKey]bool{}
	for ns := range l.dropped {
		if l.droppedRecently(ns, now) {
			out[nsKey{ino: ns}] = true
		}
	}
	return out
}

// writeReceived is the detail view's "Signals received" section: the last
// events to the namespace's init, newest last.
func writeReceived(b *strings.Builder, l *sigLog, unavailable string, ns *procinspect.Namespace, st Styles, width int) {
	b.WriteString("\n" + st.Section.Render("Signals received") + st.Faint.Render(" (the kernel's log while sigview runs; l: the whole host's)") + "\n")
	wrap := lipgloss.NewStyle().Width(max(width, 20))
	switch {
	case unavailable != "":
		b.WriteString(st.Warn.Render(wrap.Render("signal log unavailable: "+unavailable)) + "\n")
		return
	case l == nil || ns == nil || !ns.ID.HasInode():
		b.WriteString(st.Faint.Render("none recorded") + "\n")
		return
	}
	evs := l.byNS[ns.ID.Ino]
	if len(evs) == 0 {
		b.WriteString(st.Faint.Render("none since sigview started") + "\n")
		return
	}
	for _, e := range evs {
		b.WriteString(receivedLine(e) + "\n")
	}
}

// receivedLine is one event in the detail view: time, signal, sender and
// vantage, result, delivery, fate, agreed.
func receivedLine(e *watch.Event) string {
	mark := "·"
	switch {
	case e.Agrees != nil && *e.Agrees:
		mark = "✓"
	case e.Agrees != nil:
		mark = "✗"
	}
	sender := fmt.Sprintf("%d %s (%s)", e.Sender.PID, procinspect.Printable(e.Sender.Comm), e.From)
	if e.From == watch.FromKernel {
		sender = "the kernel"
	}
	s := fmt.Sprintf("%s %s %-8s from %s: %s", mark, e.Time.Format("15:04:05"), e.Signal, sender, e.Result)
	if e.Delivery != "" {
		s += ", " + e.Delivery
	}
	if e.Fate != nil {
		s += ", " + render.FateText(e.Fate)
	}
	if pr := e.Predicted; pr != nil {
		s += fmt.Sprintf("; predicted %s (%s)", pr.Verdict, pr.Outcome)
	}
	return s
}

// logView is the l overlay: the whole host's live signal log.
func (m Model) logView() string {
	st := m.styles
	var b strings.Builder
	b.WriteString(st.Section.Render("Signal log") + st.Faint.Render(" (every signal to a namespace init, live; newest last)") + "\n")
	switch {
	case m.opts.SignalsUnavailable != "":
		wrap := lipgloss.NewStyle().Width(max(m.width-2, 20))
		b.WriteString(st.Warn.Render(wrap.Render("signal log unavailable: "+m.opts.SignalsUnavailable)) + "\n")
	case m.sigs == nil || len(m.sigs.lines) == 0:
		b.WriteString(st.Faint.Render("no signal yet since sigview started") + "\n")
	default:
		b.WriteString(strings.Join(m.sigs.lines, "\n") + "\n")
	}
	b.WriteString("\n" + st.Faint.Render("l or esc closes · ↑/↓ scroll"))
	return b.String()
}

// markDropped ends a PIDNS cell with "!" (it has room: View widens the
// column while any namespace is marked).
func markDropped(cell string, st Styles, whole bool) string {
	if !strings.HasSuffix(cell, " ") {
		return cell
	}
	mark := "!"
	if !whole {
		mark = st.Warn.Render(mark)
	}
	return cell[:len(cell)-1] + mark
}

// takeSignals applies a batch to what the views show.
func (m *Model) takeSignals(items []watch.Item) {
	if m.sigs == nil {
		return
	}
	touched := m.sigs.apply(items)
	m.table.marked = m.sigs.marks(time.Now())
	// The detail view is laid out again only for its own init's events.
	if m.view == detailView && m.detail.key.ino != 0 && touched[m.detail.key.ino] {
		m.detail.refresh(m.as, m.styles)
	}
	if m.showLog {
		m.setOverlay(false)
	}
}

func (m Model) waitSignals(gap time.Duration) tea.Cmd {
	if m.opts.Signals == nil {
		return nil
	}
	return waitSignals(m.opts.Signals.ch, gap)
}
