package procinspect_test

// runit's runsvdir really run as PID 1 with a service (runit 2.1.2,
// runsvdir.c): on SIGTERM it exits 0 without a word to its runsv, whose
// service then dies of the SIGKILL the kernel sends when a namespace's init
// exits; on SIGHUP it sends each runsv SIGTERM and exits 111. SIGINT and
// SIGQUIT it does not catch: the kernel drops them at an init.

import (
	"os"
	"path/filepath"
	"time"
)

// runsvdirWith runs runsvdir as PID 1 on a service directory of its own
// holding one service, sleep.
func runsvdirWith(b binaries) []string {
	d := tempDir(b, "runsvdir-")
	if err := os.MkdirAll(filepath.Join(d, "sleeper"), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(d, "sleeper", "run"), []byte("#!/bin/sh\nexec sleep 1000\n"), 0o755); err != nil {
		panic(err)
	}
	return []string{"/bin/sh", "-c", "echo ready; exec runsvdir " + d}
}

var runitCases = []kernelCase{
	{name: "runsvdir with a service", argv: runsvdirWith, program: "runsvdir", kids: 1, grand: true, grace: 7 * time.Second,
		want: withKill(map[send]want{
			termIn:   {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "they die of the SIGKILL the kernel sends"},
			termHost: exits0Handled,
			intHost:  dropped,
			quitIn:   dropped,
			hupIn:    {verdict: "yes", outcome: "handled", end: exited(111), reasonHas: "sends SIGTERM to each runsv"},
			hupHost:  {verdict: "yes", outcome: "handled", end: exited(111)}})},
}

func init() { kernelCases = append(kernelCases, runitCases...) }
