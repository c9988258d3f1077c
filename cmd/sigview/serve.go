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
	summary:  "a Prometheus exporter: /metrics, /api/v1/snapshot, /healthz",
	about: "serve scans every --interval in the background and serves /metrics, " +
		"/api/v1/snapshot (the --json document) and /healthz. It sends no signal: no send, " +
		"try or UI code is reachable from it (the kernel probe, unless --no-probe, signals " +
		"only the throwaway helpers it starts, once, at startup).",
	flags: []cmdFlag{
		{"listen", fmt.Sprintf("address to listen on (default 127.0.0.1:%d: loopback unless told otherwise)", metrics.DefaultPort)},
		{"interval", fmt.Sprintf("how often to scan in the background (default %s; at least 100ms); a scrape never scans", metrics.DefaultInterval)},
		{"web.config.file", "exporter-toolkit web configuration file for TLS and basic auth"},
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
	src := &metrics.Source{Scanner: scanner(o, nil)}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := metrics.NewServer(src.Scan, o.interval, log)
	go srv.Run(ctx)
	return srv.Serve(ctx, l, o.webConfig)
}
