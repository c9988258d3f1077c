package watch

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/sigtrace"
)

// DefaultSettle is how long after a signal its target is watched before it
// is said to be still running (what `sigview send` watches by default).
const DefaultSettle = 2 * time.Second

// keep bounds the events kept open for one target, and how long one is kept
// for its exit.
const (
	keepPerTarget = 32
	keepFor       = 10 * time.Minute
)

// Watcher correlates the kernel's records into events and updates. Safe
// for concurrent use: SetAssessments from a scanning goroutine, Handle and
// Expire from the reading one.
type Watcher struct {
	// Settle: how long a target is watched for its fate; DefaultSettle when 0.
	Settle time.Duration

	mu sync.Mutex
	// as is the last scan; prev the one before, for an event that came
	// before as's scan started but is read after.
	as, prev *predict.Assessments
	nsByIn   map[uint64]*procinspect.Namespace
	nextID   uint64
	open     map[int][]*pending
	// memo keeps the predictions made from the current assessments (events
	// share them: nothing changes a Prediction once made): a
	// signal outside predict.AssessedSignals is predicted afresh by
	// Prediction, which a storm of them would pay for each time.
	memo map[memoKey]*predict.Prediction
	// stale is signalled when an event's target was not in the last scan,
	// or was there but not read in depth.
	stale chan struct{}
	// unread are targets of events that the scans did not read in depth
	// (processes other than an init in a watched namespace), most recent
	// last, at most MaxLearned: the next scans read them in depth (Learned),
	// so that the next signal to one is predicted from its syscall and
	// signal state rather than "unknown".
	unread []int
}

// MaxLearned bounds the processes the scans read in depth because a signal
// came to them: each costs a deep read (threads, syscall, status) per scan.
const MaxLearned = 64

// Learned returns the PIDs the next scan should read in depth because an
// event came to them and the last scan had not (at most MaxLearned).
func (w *Watcher) Learned() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.unread)
}

// learn asks the scans to read pid in depth from now on (w.mu held).
func (w *Watcher) learn(pid int) {
	if slices.Contains(w.unread, pid) {
		return
	}
	if len(w.unread) >= MaxLearned {
		w.unread = slices.Delete(w.unread, 0, 1)
	}
	w.unread = append(w.unread, pid)
	w.markStale()
}

type memoKey struct {
	p    *procinspect.Process
	sig  procinspect.Signal
	from predict.Sender
}

// pending is an event whose delivery, fate or verdict is still to come.
type pending struct {
	ev      *Event
	handler uint64
	// waitDelivery: the verdict waits for the delivery (a signal predicted
	// dropped or ignored that the target had blocked); waitFate: for the
	// fate (a prediction of yes or no).
	waitDelivery, waitFate bool
	delivered              bool // a delivery is still expected
	settled                bool // the fate at Settle was reported
}

// New returns a Watcher with no assessments yet.
func New() *Watcher { return &Watcher{open: map[int][]*pending{}, stale: make(chan struct{}, 1)} }

// Stale receives when an event's target was missing from the last scan: a
// rescan now gives the next event to it a prediction.
func (w *Watcher) Stale() <-chan struct{} { return w.stale }

func (w *Watcher) markStale() {
	select {
	case w.stale <- struct{}{}:
	default:
	}
}

// SetAssessments makes as the last scan that events are predicted from.
func (w *Watcher) SetAssessments(as *predict.Assessments) {
	byIno := map[uint64]*procinspect.Namespace{}
	if as != nil && as.Snapshot != nil {
		for _, ns := range as.Snapshot.Namespaces {
			if ns.ID.HasInode() {
				byIno[ns.ID.Ino] = ns
			}
		}
	}
	w.mu.Lock()
	w.prev, w.as, w.nsByIn, w.memo = w.as, as, byIno, map[memoKey]*predict.Prediction{}
	if as != nil && as.Snapshot != nil {
		// A learned PID that is gone is forgotten.
		w.unread = slices.DeleteFunc(w.unread, func(pid int) bool { return as.Snapshot.Process(pid) == nil })
	}
	w.mu.Unlock()
}

func (w *Watcher) settle() time.Duration {
	if w.Settle > 0 {
		return w.Settle
	}
	return DefaultSettle
}

// Handle takes one record and returns what it makes known.
func (w *Watcher) Handle(r sigtrace.Record) []Item {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch r.Kind {
	case sigtrace.Generate:
		return w.generate(r)
	case sigtrace.Deliver:
		return w.deliver(r)
	case sigtrace.Exit:
		return w.exit(r)
	}
	return nil
}

func (w *Watcher) party(t sigtrace.Task) Party {
	p := Party{PID: t.TGID, NSPID: t.NSPID, PIDNS: t.PIDNS, Comm: t.Comm}
	if ns := w.nsByIn[t.PIDNS]; ns != nil {
		p.Container = containerName(ns)
	}
	return p
}

// containerName names a namespace's container: the engine's name for it,
// else the cgroup's name, else runtime:ID (12 digits).
func containerName(ns *procinspect.Namespace) string {
	c := ns.Container()
	switch {
	case c == nil:
		return ""
	case ns.Engine() != nil && ns.Engine().Name != "":
		return ns.Engine().Name
	case c.Name != "":
		return c.Name
	case len(c.ID) > 12:
		return c.Runtime + ":" + c.ID[:12]
	}
	return c.Runtime + ":" + c.ID
}

// vantage is where the sender stood: predict's inside and host, or
// FromKernel, or FromOther.
func vantage(r sigtrace.Record) string {
	switch {
	case r.FromKernel():
		return FromKernel
	case r.Relation == sigtrace.Ancestor:
		return string(predict.Host)
	case r.Relation == sigtrace.Same && r.Target.Level == 0:
		// In the initial namespace host and inside are one place;
		// predictions call it the host.
		return string(predict.Host)
	case r.Relation == sigtrace.Same:
		return string(predict.Inside)
	}
	return FromOther
}

func (w *Watcher) generate(r sigtrace.Record) []Item {
	w.nextID++
	sig := procinspect.Signal(r.Signal)
	ev := &Event{ID: w.nextID, Time: r.Time, Signal: sig, Code: r.Code, Target: w.party(r.Target),
		Sender: w.party(r.Sender), From: vantage(r), Result: r.Result.String()}
	if ev.From == FromKernel {
		ev.Notes = append(ev.Notes, fmt.Sprintf("raised by the kernel (si_code %d): the sender shown is only the task that was running", r.Code))
	}
	observed := predict.OutcomeUnknown
	if r.Result == sigtrace.Ignored {
		observed, ev.Why = whyIgnored(r)
		ev.Dropped = observed == predict.Dropped
	}
	p := &pending{ev: ev, handler: r.Handler,
		delivered: r.Result == sigtrace.Delivered || r.Result == sigtrace.Overflow || r.Result == sigtrace.LoseInfo}
	ev.Predicted = w.predict(r, ev)
	ev.Notes = append(ev.Notes, w.noPrediction(r, ev)...)
	if pr := ev.Predicted; pr != nil {
		p.judgeAtGeneration(r, observed)
	}
	list := append(w.open[r.Target.TGID], p)
	if len(list) > keepPerTarget {
		list = list[len(list)-keepPerTarget:]
	}
	w.open[r.Target.TGID] = list
	return []Item{ev}
}

// before returns the assessments of the last scan that started before t:
// the current one, the one before, or nil.
func (w *Watcher) before(t time.Time) *predict.Assessments {
	for _, as := range []*predict.Assessments{w.as, w.prev} {
		if as != nil && as.Snapshot != nil && !as.Snapshot.Time.After(t) {
			return as
		}
	}
	return nil
}

// predict returns the prediction for the event from the last scan before
// it, or nil.
func (w *Watcher) predict(r sigtrace.Record, ev *Event) *predict.Prediction {
	as := w.before(r.Time)
	p, same := scanned(as, r.Target)
	if p == nil || same != sameProcess && same != startUnread ||
		(ev.From != string(predict.Inside) && ev.From != string(predict.Host)) {
		return nil
	}
	if same == startUnread {
		ev.Notes = append(ev.Notes, "the last scan did not read its start time: assumed to be the process that scan saw")
	}
	if p.Deep == nil {
		// Not read in depth (a process other than an init in a watched
		// namespace): its syscall and signal state are unknown to this
		// prediction; the next scans read it.
		ev.Notes = append(ev.Notes, "the last scan did not read it in depth (not an init): the next scan will, for the next signal")
		w.learn(r.Target.ViewPID)
	}
	if as != w.as {
		pr := as.Of(p).Prediction(ev.Signal, predict.Sender(ev.From))
		return &pr
	}
	k := memoKey{p, ev.Signal, predict.Sender(ev.From)}
	pr, ok := w.memo[k]
	if !ok {
		pr = ptr(as.Of(p).Prediction(k.sig, k.from))
		w.memo[k] = pr
	}
	return pr
}

// noPrediction says why an event has no prediction.
func (w *Watcher) noPrediction(r sigtrace.Record, ev *Event) []string {
	as := w.before(r.Time)
	switch {
	case as == nil:
		return []string{"sent before sigview's first scan: no prediction"}
	case ev.From == FromKernel || ev.From == FromOther:
		return []string{fmt.Sprintf("sigview predicts for senders inside and on the host, not %s", ev.From)}
	}
	switch _, same := scanned(as, r.Target); same {
	case reused:
		w.markStale()
		return []string{"the PID was reused since the last scan: no prediction"}
	case notScanned:
		if r.Target.ViewPID == 0 {
			return []string{"outside the PID namespace whose /proc sigview reads: no prediction"}
		}
		w.markStale()
		return []string{"not in the last scan (started since): no prediction"}
	}
	return nil
}

// ticksPerSecond is USER_HZ, the unit of /proc/PID/stat's starttime (100
// on every Linux architecture sigview builds for).
const ticksPerSecond = 100

// identity is how a scanned process relates to an event's target.
type identity int

const (
	notScanned  identity = iota // no process with the target's PID in the scan
	sameProcess                 // its PID and start time
	reused                      // its PID, another start time: the PID was reused
	startUnread                 // its PID; the scan did not read its start time
)

// scanned returns the target as the last scan saw it (by its PID in the
// scanned /proc's namespace, which is not the host's when sigview runs in a
// container with its own /proc), and whether it is the same process: the PID was reused only when both start times are
// known and differ (a scan reads the start time of the processes it reads
// in depth, watch's PID targets among them, and of engine daemons).
func scanned(as *predict.Assessments, t sigtrace.Task) (*procinspect.Process, identity) {
	if as == nil || as.Snapshot == nil {
		return nil, notScanned
	}
	if t.ViewPID == 0 {
		return nil, notScanned
	}
	p := as.Snapshot.Process(t.ViewPID)
	switch {
	case p == nil:
		return nil, notScanned
	case p.StartTime == 0 || t.Start == 0:
		return p, startUnread
	case p.StartTime != t.Start/(uint64(time.Second)/ticksPerSecond):
		return p, reused
	}
	return p, sameProcess
}

func ptr[T any](v T) *T { return &v }

// delivery classifies what get_signal did with a signal a thread took.
func delivery(r sigtrace.Record) string {
	sig := procinspect.Signal(r.Signal)
	switch {
	case r.Handler == sigtrace.SigIGN:
		return Ignored
	case r.Handler != sigtrace.SigDFL:
		return Handler
	case sig.DefaultIgnore():
		return Ignored
	case r.Unkillable && !sig.KernelOnly():
		return Dropped
	case sig.IsStopSignal():
		return Stopped
	}
	return Fatal
}

func (w *Watcher) deliver(r sigtrace.Record) []Item {
	list := w.open[r.Target.TGID]
	i := slices.IndexFunc(list, func(p *pending) bool { return p.delivered && int(p.ev.Signal) == r.Signal })
	note := ""
	if i < 0 && r.Signal == int(procinspect.SIGKILL) {
		// complete_signal's fatal fast path queues SIGKILL for every
		// thread in place of a fatal signal nobody handles.
		i = slices.IndexFunc(list, func(p *pending) bool {
			return p.delivered && p.handler == sigtrace.SigDFL && defaultFatal(p.ev.Signal)
		})
		if i >= 0 {
			note = fmt.Sprintf("taken as SIGKILL: the kernel's fatal fast path turns a %s nobody handles into SIGKILL", list[i].ev.Signal)
		}
	}
	if i < 0 {
		return nil
	}
	p := list[i]
	p.delivered = false
	d := delivery(r)
	if note != "" {
		d = Fatal
	}
	p.ev.Delivery = d
	u := &Update{ID: p.ev.ID, Time: r.Time, Delivery: d, Note: note}
	if p.waitDelivery {
		p.waitDelivery = false
		p.ev.Agrees = ptr(d == Dropped || d == Ignored)
		u.Agrees = p.ev.Agrees
	}
	return []Item{u}
}

func defaultFatal(s procinspect.Signal) bool {
	return !s.DefaultIgnore() && !s.IsStopSignal()
}

// fateOf reads a wait status as a runtime reports it.
func fateOf(status int, after time.Duration) *Fate {
	if sig := status & 0x7f; sig != 0 {
		return &Fate{Exited: true, ExitCode: 128 + sig, Signal: procinspect.Signal(sig), After: after}
	}
	return &Fate{Exited: true, ExitCode: (status >> 8) & 0xff, After: after}
}

func (w *Watcher) exit(r sigtrace.Record) []Item {
	var out []Item
	for _, p := range w.open[r.Target.TGID] {
		f := fateOf(r.ExitStatus, r.Time.Sub(p.ev.Time))
		if p.ev.Fate != nil && p.ev.Fate.Exited {
			continue
		}
		p.ev.Fate = f
		u := &Update{ID: p.ev.ID, Time: r.Time, Fate: f}
		if p.waitFate && !p.settled {
			p.waitFate = false
			p.ev.Agrees = ptr(p.ev.Predicted.Verdict == predict.Yes)
			u.Agrees = p.ev.Agrees
		}
		out = append(out, u)
	}
	delete(w.open, r.Target.TGID)
	return out
}

// Expire reports, for every event Settle old whose target still runs, that
// it does (and judges a prediction that waited for it), and forgets events
// kept too long. now is the wall clock.
func (w *Watcher) Expire(now time.Time) []Item {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Item
	for tgid, list := range w.open {
		for _, p := range list {
			age := now.Sub(p.ev.Time)
			if p.settled || age < w.settle() {
				continue
			}
			p.settled = true
			p.ev.Fate = &Fate{After: w.settle()}
			u := &Update{ID: p.ev.ID, Time: now, Fate: p.ev.Fate}
			if p.waitFate {
				p.waitFate = false
				p.ev.Agrees = ptr(p.ev.Predicted.Verdict == predict.No)
				u.Agrees = p.ev.Agrees
			}
			if p.waitDelivery {
				p.waitDelivery = false
				u.Note = "not taken while watched (still blocked, or read by sigtimedwait or a signalfd)"
			}
			out = append(out, u)
		}
		list = slices.DeleteFunc(list, func(p *pending) bool { return now.Sub(p.ev.Time) > keepFor })
		if len(list) == 0 {
			delete(w.open, tgid)
		} else {
			w.open[tgid] = list
		}
	}
	slices.SortFunc(out, func(a, b Item) int { return int(a.(*Update).ID) - int(b.(*Update).ID) })
	return out
}

// unsettled reports whether an event still waits for its fate at Settle.
func (w *Watcher) unsettled() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, list := range w.open {
		for _, p := range list {
			if !p.settled {
				return true
			}
		}
	}
	return false
}
