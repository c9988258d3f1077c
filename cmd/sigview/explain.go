package main

import (
	"fmt"
	"io"

	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

var explainCommand = &command{
	name:     "explain",
	synopsis: "explain [flags] PID",
	summary:  "everything about one process, with its predictions",
	about: "explain shows one process: identity, every signal's disposition, per-thread masks,\n" +
		"signalfd and sigtimedwait readers, and predictions for SIGTERM, SIGKILL, SIGINT, SIGHUP\n" +
		"and SIGQUIT from inside its PID namespace and from the host. PID is as --proc names it.",
	flags: []cmdFlag{
		{"json", "print the process as JSON: the document's init fields plus its\nnamespace, threads and readers (docs/json.md)"},
		procFlag, noMemFlag, noProbeFlag,
	},
	run: runExplain,
}

func runExplain(c *command, o options, args []string, stdout, _ io.Writer) error {
	pid, err := onePID(c, args)
	if err != nil {
		return err
	}
	if err := checkProcfs(o.proc); err != nil {
		return err
	}
	snap, err := scanner(o, []int{pid}).Scan()
	if err != nil {
		return err
	}
	as := predict.Assess(snap, snap.Kernel)
	p := snap.Process(pid)
	if p == nil {
		return fmt.Errorf("explain %d: %w", pid, snap.Missing(pid))
	}
	if o.json {
		return document.Write(stdout, document.ExplainOf(as, p))
	}
	return render.WriteExplain(stdout, as, p)
}
