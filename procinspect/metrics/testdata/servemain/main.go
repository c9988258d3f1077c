// Command servemain is sigview serve's scanning and serving, linked alone:
// TestServeCannotSignal reads its symbol table to prove that no code that
// sends a signal is linked in.
package main

import (
	"context"
	"log/slog"
	"net"
	"os"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/metrics"
)

func main() {
	src := &metrics.Source{Scanner: procinspect.Scanner{Root: "/proc"}, Document: true, FullCmdline: true}
	srv := metrics.NewServer(src.Scan, metrics.DefaultInterval, slog.New(slog.NewTextHandler(os.Stderr, nil)),
		metrics.Options{Snapshot: true, Verdicts: true})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.Exit(1)
	}
	go srv.Run(context.Background())
	srv.Serve(context.Background(), l, "")
}
