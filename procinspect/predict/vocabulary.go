package predict

// The vocabulary every renderer shares (docs/json.md): senders, verdicts,
// outcomes, and the Prediction they make up.

import "github.com/sigview/sigview/procinspect"

// Sender is where a signal is sent from.
type Sender string

// The two senders of docs/json.md.
const (
	// Inside is a root process in the target's own PID namespace (the view
	// from `docker exec`).
	Inside Sender = "inside"
	// Host is a root process in an ancestor PID namespace: the initial one,
	// which for a nested namespace stands for any ancestor. For a process
	// in the initial namespace, host and inside are the same place.
	Host Sender = "host"
)

// Verdict answers "does the process end?".
type Verdict string

// Verdicts (docs/json.md).
const (
	Yes            Verdict = "yes"
	No             Verdict = "no"
	Depends        Verdict = "depends"
	VerdictUnknown Verdict = "unknown"
)

// Outcome says why.
type Outcome string

// Outcomes (docs/json.md). Stops is the one addition: a stop signal delivered
// with its default action stops the process rather than ending it.
const (
	Terminates     Outcome = "terminates"
	Dropped        Outcome = "dropped"
	Ignored        Outcome = "ignored"
	Handled        Outcome = "handled"
	Consumed       Outcome = "consumed"
	Forwarded      Outcome = "forwarded"
	Queued         Outcome = "queued"
	Deferred       Outcome = "deferred"
	Stops          Outcome = "stops"
	Denied         Outcome = "denied"
	Unreachable    Outcome = "unreachable"
	Gone           Outcome = "gone"
	OutcomeUnknown Outcome = "unknown"
)

// Prediction is what a signal will do to a process, and why.
type Prediction struct {
	Signal  Signal
	From    Sender
	Verdict Verdict
	Outcome Outcome
	// Reason is one plain sentence naming the fact or kernel rule that decided.
	Reason string
	// Exit is the status a container runtime would report when the process
	// ends this way (128+N for a death by signal N); unknown otherwise.
	Exit procinspect.Int
	// Takes is how many whole seconds the process takes to end after the
	// signal, when it ends by its own steps that take a known time
	// (busybox init's reboot: about 3 s, 2 s with CAP_SYS_BOOT); unknown
	// when it ends at once or the time is not known.
	Takes procinspect.Int
}
