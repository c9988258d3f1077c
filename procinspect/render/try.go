package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
)

// WriteTry writes the report of `sigview try`.
func WriteTry(w io.Writer, r act.TryReport) error {
	ew := &errWriter{w: w}
	cmd := make([]string, len(r.Argv))
	for i, a := range r.Argv {
		cmd[i] = procinspect.Printable(a)
	}
	where := "a new PID namespace"
	if r.UserNS {
		where = "new user and PID namespaces"
	}
	ew.printf("sigview try: %s ran as PID 1 of %s (PID %d here)\n", strings.Join(cmd, " "), where, r.HostPID)
	if r.Assessment != nil && r.Assessment.Program != procinspect.ProgUnknown {
		ew.printf("recognised as: %s\n", r.Assessment.Program)
	}
	ew.printf("\nPredictions:\n")
	for _, pr := range r.Core() {
		ew.printf("  %-7s from %-6s %s/%s: %s\n", pr.Signal, pr.From, pr.Verdict, pr.Outcome, procinspect.Printable(pr.Reason))
	}
	pr := r.Predicted
	if r.Grace == 0 {
		ew.printf("\nStop: %s from the host, then SIGKILL at once (--grace 0)\n", pr.Signal)
	} else {
		ew.printf("\nStop: %s from the host, then SIGKILL after %s\n", pr.Signal, r.Grace)
	}
	ew.printf("  predicted: %s (%s): %s\n", pr.Verdict, pr.Outcome, procinspect.Printable(pr.Reason))
	if r.StopEnded {
		ew.printf("  happened:  %s ended it after %.3f s, exit status %d\n", pr.Signal, r.After.Seconds(), r.Exit)
	} else {
		ew.printf("  happened:  %s did not end it; SIGKILL after %s, exit status %d\n", pr.Signal, r.After.Round(100*time.Millisecond), r.Exit)
	}
	switch {
	case !r.Held.Known && r.Grace == 0 && !r.StopEnded:
		ew.printf("  not judged: SIGKILL followed at once, so %s had no time to act\n", pr.Signal)
	case !r.Held.Known:
		ew.printf("  the program's own code decided, as predicted (%s)\n", pr.Verdict)
	case r.Held.V:
		ew.printf("  the prediction held\n")
	default:
		ew.printf("  the prediction did NOT hold: please report this with `sigview explain` output\n")
	}
	if h := r.Hint(); h != "" && !r.StopEnded {
		ew.printf("\nFix: %s\n", procinspect.Printable(h))
	}
	ew.printf("\nresult: %s\n", tryResult(r))
	return ew.err
}

func tryResult(r act.TryReport) string {
	switch r.ExitCode() {
	case act.TryMismatch:
		return fmt.Sprintf("prediction mismatch (status %d)", act.TryMismatch)
	case act.TryNeededKill:
		return fmt.Sprintf("needed SIGKILL, like docker stop's exit 137 (status %d)", act.TryNeededKill)
	}
	return fmt.Sprintf("the stop signal ended it within the grace period (status %d)", act.TryEndedByStop)
}
