// Package metrics exports sigview's snapshots as Prometheus metrics: a
// collector over the latest scan and a server (sigview serve) that scans in
// the background and serves /metrics, /healthz and, when enabled,
// /api/v1/snapshot. A
// scrape never starts a scan, and nothing here can send a signal: the
// package reads procfs through the scan and nothing else.
package metrics

import "time"

// Snapshot is what one scan exports: host-wide figures, one row per
// namespace init, and the JSON document. Every string in it is already
// printable: Source escapes each one a process or an engine's files
// control with procinspect.Printable.
type Snapshot struct {
	// Time is when the scan started; Took is how long it ran.
	Time time.Time
	Took time.Duration
	// Namespaces and Processes count what the scan found; Warnings counts
	// its warning lines.
	Namespaces, Processes, Warnings int
	Kernel                          KernelInfo
	Inits                           []Init
	// JSON is the --json document of the scan; nil unless the Source was
	// asked for it (Source.Document).
	JSON []byte
}

// KernelInfo is the kernel profile: identity, where the rules came from,
// and each rule as "true", "false" or "unknown".
type KernelInfo struct {
	Release, Version, Source string
	Rules                    []KernelRule
}

// KernelRule is one measured kernel rule.
type KernelRule struct{ Name, Value string }

// Init is one namespace init: its identifying labels and predictions.
type Init struct {
	Labels InitLabels
	// Stop is the prediction of the stop that applies to the namespace;
	// nil for the host's init.
	Stop *StopPrediction
	// Verdicts are the SIGTERM and SIGKILL predictions, from inside and
	// from the host.
	Verdicts []Verdict
}

// InitLabels identify an init; empty when unknown or not applicable.
type InitLabels struct {
	// PIDNS is the namespace's inode in decimal (sigview's namespace id
	// when the inode is unknown).
	PIDNS                                 string
	Runtime, ContainerID, ContainerName   string
	PodNamespace, Pod, Container, Program string
}

func (l InitLabels) values() []string {
	return []string{l.PIDNS, l.Runtime, l.ContainerID, l.ContainerName, l.PodNamespace, l.Pod, l.Container, l.Program}
}

var initLabelNames = []string{"pidns", "runtime", "container_id", "container_name", "pod_namespace", "pod", "container", "program"}

// StopPrediction is what the configured stop does; a nil field is unknown.
type StopPrediction struct {
	// By names the stop: "docker stop" or "kubernetes".
	By string
	// Signal is the configured stop signal ("SIGTERM"); "" when it is none.
	Signal string
	// NeedsSIGKILL is whether the stop signal will not end the init within
	// the grace period.
	NeedsSIGKILL *bool
	// Seconds is how long the stop takes; ExitCode the status the runtime
	// reports.
	Seconds  *float64
	ExitCode *int
	// Assumed is whether its signal or grace period was assumed (an
	// engine's default), not read from the container's own configuration.
	Assumed bool
}

// Verdict is one prediction: does Signal sent From end the init.
type Verdict struct{ Signal, From, Verdict string }

// Options choose what a Server serves beyond its defaults. Each is off by
// default, for the reason its flag's help gives.
type Options struct {
	// Snapshot serves /api/v1/snapshot (--web.enable-snapshot); without it
	// the endpoint answers 404 saying how to enable it.
	Snapshot bool
	// Verdicts exports sigview_init_signal_verdict (--collector.verdicts):
	// 16 series per namespace init (4 predictions × 4 verdicts), which
	// would multiply the exporter's series.
	Verdicts bool
	// Signals, when not nil, exports what the signal recorder counted
	// (--collector.signals): sigview_signals_total,
	// sigview_prediction_mismatches_total and sigview_signal_log_up.
	Signals *Signals
}

// Verdicts are the values sigview_init_signal_verdict's verdict label takes.
var Verdicts = []string{"yes", "no", "depends", "unknown"}
