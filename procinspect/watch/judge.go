package watch

import (
	"fmt"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/sigtrace"
)

// dropsOrIgnores: the prediction says the signal will not be acted on.
func dropsOrIgnores(o predict.Outcome) bool { return o == predict.Dropped || o == predict.Ignored }

func (p *pending) judgeAtGeneration(r sigtrace.Record, observed predict.Outcome) {
	pr, ev := p.ev.Predicted, p.ev
	switch {
	case r.Result == sigtrace.Ignored && pr.Outcome == predict.OutcomeUnknown:
		// Nothing was predicted to compare with: not a disagreement.
		ev.Notes = append(ev.Notes, fmt.Sprintf("the prediction was %q: not judged", pr.Outcome))
	case r.Result == sigtrace.Ignored:
		ev.Agrees = ptr(dropsOrIgnores(pr.Outcome))
		if observed != predict.OutcomeUnknown && dropsOrIgnores(pr.Outcome) && observed != pr.Outcome {
			ev.Notes = append(ev.Notes, eitherWay(pr.Outcome, observed))
		}
	case dropsOrIgnores(pr.Outcome) && r.Blocked&(1<<(r.Signal-1)) != 0:
		p.waitDelivery = true // queued while blocked: judged when taken
		ev.Judging = "delivery"
	case dropsOrIgnores(pr.Outcome):
		ev.Agrees = ptr(false)
	case pr.Verdict == predict.Yes || pr.Verdict == predict.No:
		p.waitFate = true
		ev.Judging = "fate"
	default:
		ev.Notes = append(ev.Notes, fmt.Sprintf("the prediction was %q: not judged", pr.Verdict))
	}
}

// eitherWay notes a prediction of dropped for a signal the kernel ignored,
// or the reverse (made once: a storm of them printed it per event).
func eitherWay(predicted, observed predict.Outcome) string {
	const (
		droppedIgnored = "predicted " + string(predict.Dropped) + ", the kernel " + string(predict.Ignored) + " it: either way it was not acted on"
		ignoredDropped = "predicted " + string(predict.Ignored) + ", the kernel " + string(predict.Dropped) + " it: either way it was not acted on"
	)
	switch {
	case predicted == predict.Dropped && observed == predict.Ignored:
		return droppedIgnored
	case predicted == predict.Ignored && observed == predict.Dropped:
		return ignoredDropped
	}
	return fmt.Sprintf("predicted %s, the kernel %s it: either way it was not acted on", predicted, observed)
}

// whyIgnored says why the kernel ignored a signal at generation, from the
// disposition and init flag it held then (sig_task_ignored).
func whyIgnored(r sigtrace.Record) (predict.Outcome, string) {
	sig := procinspect.Signal(r.Signal)
	switch {
	case r.Handler == sigtrace.SigIGN:
		return predict.Ignored, "the target ignores it (SIG_IGN)"
	case r.Handler == sigtrace.SigDFL && sig.DefaultIgnore():
		return predict.Ignored, "its default action is to ignore it"
	case r.Handler == sigtrace.SigDFL && r.Unkillable:
		return predict.Dropped, "dropped at the init: it has no handler, and the kernel protects a PID namespace's init " +
			"from the default action (from an ancestor namespace only SIGKILL and SIGSTOP get through)"
	}
	return predict.OutcomeUnknown, "the kernel ignored it for a reason the record does not show (the process may have been exiting)"
}
