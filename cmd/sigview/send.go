package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
)

var sendCommand = &command{
	name:     "send",
	synopsis: "send [flags] TARGET",
	summary:  "send one signal, watch, and say whether the prediction held",
	about: "send predicts what the signal does to PID, checks that PID is still the process it\n" +
		"scanned (pidfd and start time), sends the signal, watches PID for --watch, and\n" +
		"reports what happened next to the prediction. It needs sigview's own /proc.\n\n" + targetHelp,
	exit: "exit status: 0 sent (the prediction held or could not be judged), 1 runtime error,\n" +
		"2 usage error, 4 the prediction did not hold.",
	flags: []cmdFlag{
		{"from", "where the signal comes from: host (sigview itself, in an ancestor of PID's\nnamespace), or inside, a short-lived process that joins PID's PID namespace (as\ndocker exec c kill 1). Default: where sigview runs, inside when PID is in\nsigview's own PID namespace (as in a container), else host; host is refused there"},
		{"signal", "the signal, a name (TERM, SIGTERM, SIGRTMIN+3) or a number (default TERM);\nreal-time names as docker and glibc number them: SIGRTMIN is 34"},
		{"watch", "how long to watch PID afterwards (default 2s; at least 100ms: sigview always\nwatches, since a signal sent is not a signal that worked, and the kernel needs a\nmoment to deliver it)"},
		{"json", "print the report as JSON (docs/json.md)"},
		procFlag, noMemFlag, noProbeFlag,
		{"read-only", "refuse to send (as the UI's --read-only)"},
		{"yes-host-init", "confirm a send to the machine's own init (PID 1 of the host's initial PID\nnamespace), which is refused without it; inside a container its own PID 1\nneeds no confirmation"},
	},
	run: runSend,
}

func runSend(c *command, o options, args []string, stdout, _ io.Writer) error {
	t, err := oneTarget(c, o, args)
	if err != nil {
		return err
	}
	pid := t.PID
	sig, err := procinspect.ParseSignal(o.signal)
	if err != nil {
		return usageError{c, fmt.Sprintf("--signal %s: %v", quoteArg(o.signal), err)}
	}
	if o.readOnly {
		return fmt.Errorf("send: %w", act.ErrReadOnly)
	}
	if err := checkProcfs(o.proc); err != nil {
		return err
	}
	if _, err := os.Lstat(filepath.Join(o.proc, strconv.Itoa(pid))); errors.Is(err, fs.ErrNotExist) {
		// Not "gone": as far as sigview can tell, it never was.
		return fmt.Errorf("send %s to %d: no such process in %s", sig, pid, o.proc)
	}
	if tgid, ok := procinspect.ThreadOf(o.proc, pid); ok {
		return fmt.Errorf("send %s to %d: %d is a thread of process %d; send to the process (a signal to a thread's ID reaches the whole process anyway)", sig, pid, pid, tgid)
	}
	rep, err := act.Send(scanner(o, nil), act.SendRequest{PID: pid, Signal: sig, From: predict.Sender(o.from),
		Watch: o.watch, StartTime: t.StartTime, HostInit: o.yesHostInit})
	if err != nil {
		return fmt.Errorf("send %s to %d: %w", sig, pid, err)
	}
	status := 0
	if rep.Held.Known && !rep.Held.V {
		status = act.TryMismatch
	}
	if o.json {
		err = document.Write(stdout, document.SendOf(rep, status))
	} else {
		_, err = fmt.Fprintln(stdout, rep.Summary)
	}
	if err != nil {
		return err
	}
	if status != 0 {
		return exitStatus(status)
	}
	return nil
}
