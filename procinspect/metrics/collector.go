package metrics

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector is a prometheus.Collector over the latest snapshot. Set builds
// every metric once per scan, so that Collect, run by each scrape, only
// hands them out: a scrape never scans and costs the same however many
// processes the host runs.
type Collector struct {
	opts   Options
	latest atomic.Pointer[built]
	errors atomic.Uint64
}

// built is a snapshot with its metrics.
type built struct {
	snap    *Snapshot
	metrics []prometheus.Metric
}

var (
	descNeedsKill = prometheus.NewDesc("sigview_stop_needs_sigkill",
		"1 when the namespace's configured stop (Kubernetes' for a pod's container, else docker stop's) will not end its init within the grace period, so the runtime sends SIGKILL; 0 when the stop signal ends it; absent when unknown.",
		initLabelNames, nil)
	descStopSeconds = prometheus.NewDesc("sigview_stop_expected_seconds",
		"How long the configured stop is predicted to take: 0 when the stop signal ends the init at once, the seconds its own known steps take (busybox init: 2 or 3), the grace period when SIGKILL is needed; absent when the program decides.",
		initLabelNames, nil)
	descStopExit = prometheus.NewDesc("sigview_stop_expected_exit_code",
		"The exit status the runtime is predicted to report after the configured stop; absent when unknown.",
		initLabelNames, nil)
	descAssumed = prometheus.NewDesc("sigview_stop_assumed",
		"1 when the configured stop's signal or grace period was assumed (an engine's default: no engine file describes the namespace, or sigview cannot see them), not read from the container's own configuration; 0 when both were read.",
		initLabelNames, nil)
	descVerdict = prometheus.NewDesc("sigview_init_signal_verdict",
		"Whether a signal ends the namespace init: 1 for the verdict that holds (yes, no, depends, unknown), 0 for the others.",
		append(append([]string{}, initLabelNames...), "signal", "from", "verdict"), nil)
	descStopSignal = prometheus.NewDesc("sigview_stop_signal_info",
		"The stop signal configured for the namespace's container (its engine's, or the default the engine assumes); always 1. Joins with sigview_signals_total on pidns and signal.",
		append(append([]string{}, initLabelNames...), "signal"), nil)
	descNamespaces = prometheus.NewDesc("sigview_namespaces", "PID namespaces found by the last scan.", nil, nil)
	descProcesses  = prometheus.NewDesc("sigview_processes", "Processes read by the last scan.", nil, nil)
	descDuration   = prometheus.NewDesc("sigview_scan_duration_seconds", "How long the last successful scan took.", nil, nil)
	descWarnings   = prometheus.NewDesc("sigview_scan_warnings", "Kinds of facts the last scan could not read (its warning lines).", nil, nil)
	descLastScan   = prometheus.NewDesc("sigview_last_scan_timestamp_seconds", "When the last successful scan started, in seconds since the Unix epoch.", nil, nil)
	descErrors     = prometheus.NewDesc("sigview_scan_errors_total", "Background scans that failed (the procfs could not be listed).", nil, nil)
	descKernelInfo = prometheus.NewDesc("sigview_kernel_info",
		"The running kernel, where its profile comes from (probe, cache, none) and its build-dependent signal rules as measured (true, false or unknown); always 1.",
		append([]string{"release", "version", "source"}, kernelRuleNames...), nil)
)

// NewCollector returns a collector with no snapshot yet; o.Verdicts adds
// sigview_init_signal_verdict.
func NewCollector(o Options) *Collector { return &Collector{opts: o} }

// Set makes s the snapshot that scrapes see.
func (c *Collector) Set(s *Snapshot) {
	c.latest.Store(&built{snap: s, metrics: build(s, c.opts.Verdicts)})
	if c.opts.Signals != nil {
		c.opts.Signals.SetInits(s)
	}
}

// Latest returns the snapshot scrapes see, nil before the first scan.
func (c *Collector) Latest() *Snapshot {
	if b := c.latest.Load(); b != nil {
		return b.snap
	}
	return nil
}

// Failed counts a failed scan.
func (c *Collector) Failed() { c.errors.Add(1) }

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descNeedsKill, descStopSeconds, descStopExit, descStopSignal, descAssumed, descNamespaces,
		descProcesses, descDuration, descWarnings, descLastScan, descErrors, descKernelInfo} {
		ch <- d
	}
	if c.opts.Verdicts {
		ch <- descVerdict
	}
	if c.opts.Signals != nil {
		ch <- descSignals
		ch <- descMismatches
		ch <- descSignalLog
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descErrors, prometheus.CounterValue, float64(c.errors.Load()))
	if b := c.latest.Load(); b != nil {
		for _, m := range b.metrics {
			ch <- m
		}
	}
	if c.opts.Signals != nil {
		c.opts.Signals.collect(ch)
	}
}

// build makes the metrics of s: per init at most its five stop series,
// plus 16 verdict series when verdicts is set.
func build(s *Snapshot, verdicts bool) []prometheus.Metric {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
		return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	out := []prometheus.Metric{
		gauge(descNamespaces, float64(s.Namespaces)),
		gauge(descProcesses, float64(s.Processes)),
		gauge(descDuration, s.Took.Seconds()),
		gauge(descWarnings, float64(s.Warnings)),
		gauge(descLastScan, float64(s.Time.UnixNano())/1e9),
		kernelInfo(s.Kernel),
	}
	for _, in := range s.Inits {
		lv := in.Labels.values()
		if st := in.Stop; st != nil {
			if st.NeedsSIGKILL != nil {
				out = append(out, gauge(descNeedsKill, b2f(*st.NeedsSIGKILL), lv...))
			}
			if st.Seconds != nil {
				out = append(out, gauge(descStopSeconds, *st.Seconds, lv...))
			}
			if st.ExitCode != nil {
				out = append(out, gauge(descStopExit, float64(*st.ExitCode), lv...))
			}
			if st.Signal != "" {
				out = append(out, gauge(descStopSignal, 1, append(lv, st.Signal)...))
			}
			out = append(out, gauge(descAssumed, b2f(st.Assumed), lv...))
		}
		if !verdicts {
			continue
		}
		for _, v := range in.Verdicts {
			for _, name := range Verdicts {
				out = append(out, gauge(descVerdict, b2f(v.Verdict == name), append(lv, v.Signal, v.From, name)...))
			}
		}
	}
	return out
}

// kernelInfo is the info metric: release, version, source and one label per
// rule, "unknown" for a rule the profile lacks.
func kernelInfo(k KernelInfo) prometheus.Metric {
	values := []string{k.Release, k.Version, k.Source}
	for _, name := range kernelRuleNames {
		v := "unknown"
		for _, r := range k.Rules {
			if r.Name == name {
				v = r.Value
			}
		}
		values = append(values, v)
	}
	return prometheus.MustNewConstMetric(descKernelInfo, prometheus.GaugeValue, 1, values...)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
