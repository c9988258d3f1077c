package document

import (
	"encoding/json"
	"io"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/watch"
)

// SignalEvent is one line of `sigview watch --json`: a signal generated
// for a watched process (docs/json.md).
type SignalEvent struct {
	ID           uint64          `json:"id"`
	Time         string          `json:"time"`
	Signal       string          `json:"signal"`
	SignalNumber int             `json:"signal_number"`
	Code         int             `json:"code"`
	Target       WatchTarget     `json:"target"`
	Sender       WatchSender     `json:"sender"`
	Result       string          `json:"result"`
	Why          *string         `json:"why"`
	Delivery     *string         `json:"delivery"`
	Fate         *WatchFate      `json:"fate"`
	Predicted    *WatchPredicted `json:"predicted"`
	Agrees       *bool           `json:"agrees"`
	Notes        []string        `json:"notes"`
}

// WatchTarget is the process a signal was generated for.
type WatchTarget struct {
	PID       int     `json:"pid"`
	NSPID     int     `json:"ns_pid"`
	PIDNS     uint64  `json:"pidns"`
	Comm      string  `json:"comm"`
	Container *string `json:"container"`
}

// WatchSender is the task that was running when it was generated, and
// where it stood.
type WatchSender struct {
	PID       int     `json:"pid"`
	Comm      string  `json:"comm"`
	PIDNS     uint64  `json:"pidns"`
	Container *string `json:"container"`
	From      string  `json:"from"`
}

// WatchFate is what became of the target.
type WatchFate struct {
	State        string  `json:"state"`
	ExitCode     *int    `json:"exit_code"`
	Signal       *string `json:"signal"`
	SignalNumber *int    `json:"signal_number"`
	AfterSeconds float64 `json:"after_seconds"`
}

// WatchPredicted is the prediction the event is compared with.
type WatchPredicted struct {
	Verdict string `json:"verdict"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// SignalUpdate completes the event with the same id: only what it adds is
// present.
type SignalUpdate struct {
	ID       uint64     `json:"id"`
	Update   bool       `json:"update"`
	Time     string     `json:"time"`
	Delivery string     `json:"delivery,omitempty"`
	Fate     *WatchFate `json:"fate,omitempty"`
	Agrees   *bool      `json:"agrees,omitempty"`
	Note     string     `json:"note,omitempty"`
}

// SignalsLost reports records the kernel could not hand over.
type SignalsLost struct {
	Time  string `json:"time"`
	Lost  uint64 `json:"lost"`
	Total uint64 `json:"lost_total"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return ptr(procinspect.Printable(s))
}

// WatchItemOf is the JSON line of a watch item (*watch.Event, *watch.Update
// or *watch.Lost).
func WatchItemOf(it watch.Item) any {
	switch v := it.(type) {
	case *watch.Event:
		return signalEventOf(v)
	case *watch.Update:
		u := SignalUpdate{ID: v.ID, Update: true, Time: stamp(v.Time), Delivery: v.Delivery,
			Fate: watchFateOf(v.Fate), Agrees: v.Agrees, Note: v.Note}
		return u
	case *watch.Lost:
		return SignalsLost{Time: stamp(v.Time), Lost: v.Count, Total: v.Total}
	}
	return nil
}

func signalEventOf(e *watch.Event) SignalEvent {
	d := SignalEvent{ID: e.ID, Time: stamp(e.Time), Signal: e.Signal.String(), SignalNumber: int(e.Signal), Code: e.Code,
		Target: WatchTarget{PID: e.Target.PID, NSPID: e.Target.NSPID, PIDNS: e.Target.PIDNS,
			Comm: procinspect.Printable(e.Target.Comm), Container: optString(e.Target.Container)},
		Sender: WatchSender{PID: e.Sender.PID, Comm: procinspect.Printable(e.Sender.Comm), PIDNS: e.Sender.PIDNS,
			Container: optString(e.Sender.Container), From: e.From},
		Result: e.Result, Why: optString(e.Why), Delivery: optString(e.Delivery), Fate: watchFateOf(e.Fate),
		Agrees: e.Agrees, Notes: append([]string{}, e.Notes...)}
	if pr := e.Predicted; pr != nil {
		d.Predicted = &WatchPredicted{Verdict: string(pr.Verdict), Outcome: string(pr.Outcome), Reason: pr.Reason}
	}
	return d
}

func watchFateOf(f *watch.Fate) *WatchFate {
	if f == nil {
		return nil
	}
	d := &WatchFate{State: "running", AfterSeconds: f.After.Seconds()}
	if f.Exited {
		d.State = "exited"
		d.ExitCode = ptr(f.ExitCode)
		if f.Signal != 0 {
			d.Signal, d.SignalNumber = ptr(f.Signal.String()), ptr(int(f.Signal))
		}
	}
	return d
}

// WriteLine writes v as one line of compact JSON (a stream's record), with
// the same escaping as Write.
func WriteLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
