package metrics

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/watch"
)

var (
	descSignals = prometheus.NewDesc("sigview_signals_total",
		"Signals the kernel generated for a namespace init since serve started, by the init, the signal, where the sender stood (inside, host, kernel, other) and the kernel's result at generation (delivered, ignored, already_pending, overflow, lose_info); needs --collector.signals. The series of an init that is gone is dropped once it has not changed for --collector.signals.retention (15m).",
		append(append([]string{}, initLabelNames...), "signal", "from", "result"), nil)
	descMismatches = prometheus.NewDesc("sigview_prediction_mismatches_total",
		"Signals to a namespace init whose outcome disagreed with sigview's prediction from the scan before (sigview watch's agrees false); needs --collector.signals.",
		[]string{"signal", "from"}, nil)
	descSignalLog = prometheus.NewDesc("sigview_signal_log_up",
		"1 when the signal recorder runs (--collector.signals), 0 when it cannot (serve's log says why: it needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN, and a kernel with BTF).",
		nil, nil)
)

// Signals counts what the signal recorder saw (sigview watch's events), for
// sigview_signals_total and sigview_prediction_mismatches_total. Safe for
// concurrent use: Observe from the recorder's goroutine, Collect from
// scrapes.
//
// A sigview_signals_total series whose init is gone (the last scan has no
// init with its labels) and whose count has not changed for the retention
// (SetRetention, DefaultRetention) is dropped, so that a node's containers
// coming and going do not grow serve's series forever. A dropped series is
// remembered for one more retention: if the same labels count again within
// it (a reused namespace inode with the same container labels), the count
// resumes where it stopped, so that increase() over a rule's range (10m in
// deploy/prometheus/rules.yml, shorter than the retention) never sees a
// restart it could take for no change.
type Signals struct {
	mu         sync.Mutex
	up         bool
	inits      map[string]InitLabels // the last scan's inits by pidns
	counts     map[signalKey]*series
	dropped    map[signalKey]*series // dropped, remembered until changed+2*retention
	mismatches map[[2]string]float64
	// waiting are the events whose verdict an update will bring.
	waiting   map[uint64][2]string
	retention time.Duration
	now       func() time.Time
}

type signalKey struct {
	labels               InitLabels
	signal, from, result string
}

// series is one sigview_signals_total count and when it last changed.
type series struct {
	n       float64
	changed time.Time
}

// DefaultRetention is how long a series of an init that is gone stays after
// its last change: longer than the 10-minute ranges of the alert rule.
const DefaultRetention = 15 * time.Minute

// maxWaiting bounds the events kept for their verdict.
const maxWaiting = 4096

// NewSignals returns counters with nothing counted and DefaultRetention; up
// says whether the recorder runs.
func NewSignals(up bool) *Signals {
	return &Signals{up: up, inits: map[string]InitLabels{}, counts: map[signalKey]*series{},
		dropped: map[signalKey]*series{}, mismatches: map[[2]string]float64{}, waiting: map[uint64][2]string{},
		retention: DefaultRetention, now: time.Now}
}

// SetRetention sets how long a series of an init that is gone stays after
// its last change (serve's --collector.signals.retention); d > 0.
func (s *Signals) SetRetention(d time.Duration) {
	s.mu.Lock()
	s.retention = d
	s.mu.Unlock()
}

// SetInits makes s's inits the ones an event's labels are taken from, and
// drops the series of inits that are gone and have not changed for the
// retention.
func (s *Signals) SetInits(snap *Snapshot) {
	by := map[string]InitLabels{}
	for _, in := range snap.Inits {
		by[in.Labels.PIDNS] = in.Labels
	}
	s.mu.Lock()
	s.inits = by
	s.expire()
	s.mu.Unlock()
}

// expire drops the series that are due (s.mu held).
func (s *Signals) expire() {
	now := s.now()
	for k, c := range s.counts {
		if cur, ok := s.inits[k.labels.PIDNS]; (!ok || cur != k.labels) && now.Sub(c.changed) >= s.retention {
			delete(s.counts, k)
			s.dropped[k] = c
		}
	}
	for k, c := range s.dropped {
		if now.Sub(c.changed) >= 2*s.retention {
			delete(s.dropped, k)
		}
	}
}

// Observe counts one watch item.
func (s *Signals) Observe(it watch.Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch v := it.(type) {
	case *watch.Event:
		pidns := strconv.FormatUint(v.Target.PIDNS, 10)
		l, ok := s.inits[pidns]
		if !ok {
			// An init the last scan has not seen yet: its namespace is
			// known, the rest is not.
			l = InitLabels{PIDNS: pidns, Program: OtherProgram}
		}
		k := signalKey{l, v.Signal.String(), v.From, v.Result}
		c := s.counts[k]
		if c == nil {
			if c = s.dropped[k]; c != nil {
				delete(s.dropped, k)
			} else {
				c = &series{}
			}
			s.counts[k] = c
		}
		c.n++
		c.changed = s.now()
		sf := [2]string{v.Signal.String(), v.From}
		switch {
		case v.Agrees != nil && !*v.Agrees:
			s.mismatches[sf]++
		case v.Agrees == nil && v.Judging != "" && len(s.waiting) < maxWaiting:
			s.waiting[v.ID] = sf
		}
	case *watch.Update:
		sf, ok := s.waiting[v.ID]
		if !ok || v.Agrees == nil {
			return
		}
		delete(s.waiting, v.ID)
		if !*v.Agrees {
			s.mismatches[sf]++
		}
	}
}

// collect hands out the counters.
func (s *Signals) collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	ch <- prometheus.MustNewConstMetric(descSignalLog, prometheus.GaugeValue, b2f(s.up))
	for k, c := range s.counts {
		ch <- prometheus.MustNewConstMetric(descSignals, prometheus.CounterValue, c.n,
			append(k.labels.values(), k.signal, k.from, k.result)...)
	}
	for k, n := range s.mismatches {
		ch <- prometheus.MustNewConstMetric(descMismatches, prometheus.CounterValue, n, k[0], k[1])
	}
}

// stopSignalName names a stop's signal as the engines do ("SIGTERM").
func stopSignalName(sig procinspect.Signal) string {
	if sig == 0 {
		return ""
	}
	return sig.String()
}
