package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
)

// DefaultInterval is how often serve scans unless told otherwise.
const DefaultInterval = 15 * time.Second

// DefaultPort is serve's port: the Prometheus wiki's default port
// allocations give the exporter range 9100-9999 (full) and the numbers
// just above it to other exporters, not this one.
const DefaultPort = 19560

// Server scans in the background and serves the latest scan. Its registry
// is its own: nothing is registered globally.
type Server struct {
	scan     func() (*Snapshot, error)
	interval time.Duration
	opts     Options
	log      *slog.Logger
	c        *Collector
	reg      *prometheus.Registry
	lastErr  atomic.Pointer[string] // nil when the last scan succeeded
}

// NewServer returns a server that calls scan every interval once Run runs.
// Its registry holds the snapshot collector and the Go and process
// collectors. o says which optional endpoint and metrics it serves; with
// o.Snapshot, scan must fill Snapshot.JSON (Source.Document).
func NewServer(scan func() (*Snapshot, error), interval time.Duration, log *slog.Logger, o Options) *Server {
	s := &Server{scan: scan, interval: interval, opts: o, log: log, c: NewCollector(o), reg: prometheus.NewRegistry()}
	s.reg.MustRegister(s.c, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	none := "no scan has finished yet"
	s.lastErr.Store(&none)
	return s
}

// Registry is the server's registry.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Run scans at once and then every interval until ctx is done.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		s.ScanOnce()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ScanOnce runs one scan and publishes it, or counts and logs its failure
// and keeps serving the last good one.
func (s *Server) ScanOnce() {
	snap, err := s.scan()
	if err != nil {
		s.c.Failed()
		msg := err.Error()
		s.lastErr.Store(&msg)
		s.log.Error("scan failed; serving the last good scan", "err", err)
		return
	}
	s.c.Set(snap)
	if prev := s.lastErr.Swap(nil); prev != nil {
		s.log.Info("scan succeeded", "namespaces", snap.Namespaces, "processes", snap.Processes,
			"took", snap.Took.Round(time.Microsecond).String())
	}
}

// SnapshotDisabled is the body of /api/v1/snapshot's 404 when the endpoint
// is off.
const SnapshotDisabled = "/api/v1/snapshot is disabled: start sigview serve with --web.enable-snapshot to serve it\n"

// Handler serves /metrics, /api/v1/snapshot (404 unless Options.Snapshot),
// /healthz and a landing page that links what is served.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError), Registry: s.reg}))
	mux.HandleFunc("/api/v1/snapshot", s.snapshot)
	mux.HandleFunc("/healthz", s.healthz)
	links := `<a href="/metrics">/metrics</a>`
	if s.opts.Snapshot {
		links += ` · <a href="/api/v1/snapshot">/api/v1/snapshot</a> (the --json document)`
	}
	links += ` · <a href="/healthz">/healthz</a>`
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>sigview</title></head><body><h1>sigview serve</h1>
<p>%s</p></body></html>`, links)
	})
	return mux
}

func (s *Server) snapshot(w http.ResponseWriter, _ *http.Request) {
	if !s.opts.Snapshot {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, SnapshotDisabled)
		return
	}
	snap := s.c.Latest()
	if snap == nil {
		http.Error(w, "no scan has finished yet", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Last-Modified", snap.Time.UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Length", strconv.Itoa(len(snap.JSON)))
	w.Write(snap.JSON)
}

// healthz is 200 when the last scan succeeded, 503 with the reason when not.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	if msg := s.lastErr.Load(); msg != nil {
		http.Error(w, *msg, http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

// Serve serves s on l until ctx is done, with TLS and basic auth from the
// exporter-toolkit web configuration file webConfig ("" for plain HTTP).
func (s *Server) Serve(ctx context.Context, l net.Listener, webConfig string) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- web.Serve(l, srv, &web.FlagConfig{WebConfigFile: &webConfig}, s.log) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
