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
		{"proc", "the procfs to read (default /proc); the engines' files are read next to it (/host/var/lib/docker for /host/proc)"},
		noMemFlag, noProbeFlag,
	},
	defaults: func(o *options) {
		o.listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(metrics.DefaultPort))
		o.interval = metrics.DefaultInterval
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
	src := &metrics.Source{Scanner: scanner(o, nil), Document: o.snapshot, FullCmdline: o.snapshotCmdline}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := metrics.NewServer(src.Scan, o.interval, log, metrics.Options{Snapshot: o.snapshot, Verdicts: o.verdicts})
	go srv.Run(ctx)
	return srv.Serve(ctx, l, o.webConfig)
}
