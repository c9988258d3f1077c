package main

import (
	"context"
	"flag"
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

// serveOptions are serve's own settings.
type serveOptions struct{ listen, webConfig string }

// serve is `sigview serve`: a Prometheus exporter that scans in the
// background. It runs nothing that sends a signal: no send, try or UI code
// is reachable from here (the kernel probe, unless --no-probe, signals only
// the throwaway helpers it starts, once, at startup).
func serve(o options, args []string, stderr io.Writer) error {
	so := serveOptions{listen: net.JoinHostPort("127.0.0.1", strconv.Itoa(metrics.DefaultPort))}
	o.interval = metrics.DefaultInterval
	fs := flag.NewFlagSet("sigview serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: sigview serve [--listen ADDR] [--interval D] [flags]\n"+
			"  a Prometheus exporter: scans every --interval and serves /metrics,\n"+
			"  /api/v1/snapshot (the --json document) and /healthz\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&so.listen, "listen", so.listen, "address to listen on (loopback unless told otherwise)")
	fs.DurationVar(&o.interval, "interval", o.interval, "how often to scan in the background (a scrape never scans)")
	fs.StringVar(&so.webConfig, "web.config.file", "", "exporter-toolkit web configuration file for TLS and basic auth")
	fs.StringVar(&o.proc, "proc", o.proc, "procfs to read; the engines' files are read next to it (/host/var/lib/docker for /host/proc)")
	fs.BoolVar(&o.noMem, "no-mem", o.noMem, "do not read /proc/PID/mem to learn sigtimedwait wait sets")
	fs.BoolVar(&o.noProbe, "no-probe", o.noProbe, "do not measure the kernel's build-dependent rules")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"serve takes no arguments"}
	}
	if o.interval <= 0 {
		return usageError{"serve: --interval must be positive"}
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	src := &metrics.Source{Scanner: scanner(o, nil)}
	l, err := net.Listen("tcp", so.listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := metrics.NewServer(src.Scan, o.interval, log)
	go srv.Run(ctx)
	return srv.Serve(ctx, l, so.webConfig)
}
