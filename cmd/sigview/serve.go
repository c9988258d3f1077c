package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/sigview/sigview/procinspect/metrics"
	"github.com/sigview/sigview/procinspect/sigtrace"
	"github.com/sigview/sigview/procinspect/watch"
)

var serveCommand = &command{
	name:     "serve",
	synopsis: "serve [flags]",
	summary:  "a Prometheus exporter: /metrics, /healthz (and /api/v1/snapshot if enabled)",
	about: "serve scans every --interval in the background and serves /metrics, " +
		"/healthz and, with --web.enable-snapshot, /api/v1/snapshot (the --json document). It sends no signal: no send, " +
		"try or UI code is reachable from it (the kernel probe, unless --no-probe, signals " +
		"only the throwaway helpers it starts, once, at startup).",
	flags: []cmdFlag{
		{"listen", fmt.Sprintf("address to listen on (default 127.0.0.1:%d: loopback unless told otherwise)", metrics.DefaultPort)},
		{"interval", fmt.Sprintf("how often to scan in the background (default %s; at least 100ms); a scrape never scans", metrics.DefaultInterval)},
		{"web.config.file", "exporter-toolkit web configuration file for TLS and basic auth"},
		{"web.enable-snapshot", "serve /api/v1/snapshot, the --json document of the last scan (default off: 404); " +
			"each init's command line is argv[0] alone unless --web.snapshot-cmdline"},
		{"web.snapshot-cmdline", "the snapshot keeps each init's full command line, arguments and all: " +
			"they can hold secrets (--password=…), so only behind TLS and basic auth"},
		{"collector.verdicts", "export sigview_init_signal_verdict: 16 more series per namespace init " +
			"(default off; the stop metrics stay)"},
		{"collector.signals", "record every signal to a namespace init with sigview watch's recorder and export " +
			"sigview_signals_total, sigview_prediction_mismatches_total and sigview_signal_log_up (default off: " +
			"it needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN; where it cannot run, the log says why and the rest is served)"},
		{"collector.signals.retention", fmt.Sprintf("how long a sigview_signals_total series of an init that is gone stays after its "+
			"last change (default %s, at least 1s; keep it longer than the ranges your rules use over it: 10m in deploy/prometheus/rules.yml)",
			metrics.DefaultRetention)},
		{"proc", "the procfs to read (default /proc); the engines' files are read next to it (/host/var/lib/docker for /host/proc)"},
		noMemFlag, noProbeFlag,
	},
	defaults: func(o *options) {
		o.listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(metrics.DefaultPort))
		o.interval = metrics.DefaultInterval
		o.signalsRetention = metrics.DefaultRetention
	},
	run: runServe,
}

// runServe is `sigview serve`: a Prometheus exporter that scans in the
// background.
func runServe(c *command, o options, args []string, _, stderr io.Writer) error {
	if err := noArgs(c, args); err != nil {
		return err
	}
	if err := checkProcfs(o.proc); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if o.snapshotCmdline && !o.snapshot {
		return usageError{c, "--web.snapshot-cmdline needs --web.enable-snapshot"}
	}
	if o.given["collector.signals.retention"] && !o.signals {
		return usageError{c, "--collector.signals.retention needs --collector.signals"}
	}
	src := &metrics.Source{Scanner: scanner(o, nil), Document: o.snapshot, FullCmdline: o.snapshotCmdline}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mo := metrics.Options{Snapshot: o.snapshot, Verdicts: o.verdicts}
	if o.signals {
		mo.Signals = startSignalLog(ctx, src, log, procView(o.proc))
		mo.Signals.SetRetention(o.signalsRetention)
	}
	srv := metrics.NewServer(src.Scan, o.interval, log, mo)
	go srv.Run(ctx)
	return srv.Serve(ctx, l, o.webConfig)
}

// startSignalLog starts sigview watch's recorder for every namespace init,
// counting into the Signals it returns; where it cannot run it logs why and
// the Signals say it is down.
func startSignalLog(ctx context.Context, src *metrics.Source, log *slog.Logger, view sigtrace.View) *metrics.Signals {
	rec, err := sigtrace.Open(sigtrace.Options{View: view})
	if err != nil {
		log.Error("signal log unavailable; serving everything else", "why", err)
		return metrics.NewSignals(false)
	}
	sigs := metrics.NewSignals(true)
	w := watch.New()
	src.OnAssess = w.SetAssessments
	go func() {
		if err := w.Run(ctx, rec, sigs.Observe, nil); err != nil {
			log.Error("signal log stopped", "err", err)
		}
	}()
	log.Info("signal log recording signals to every namespace init")
	return sigs
}
