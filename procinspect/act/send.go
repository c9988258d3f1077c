package act

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// SendRequest asks for one signal to be sent and its effect watched. sigview
// sends only what a person explicitly asked for.
type SendRequest struct {
	// PID is the target as sigview's procfs names it.
	PID int
	// Signal is what to send.
	Signal procinspect.Signal
	// From is where to send it from: Host (sigview's own namespace, an
	// ancestor of the target's) or Inside (a helper process that joins the
	// target's PID namespace); "" picks where sigview really is: Inside when
	// the target is in sigview's own namespace, else Host. Host is refused
	// for a target in sigview's own, non-initial namespace.
	From predict.Sender
	// Watch is how long to watch the target afterwards (default 2 s).
	Watch time.Duration
	// StartTime, when set, is the start time the person saw (an earlier
	// scan): the process must still have it, or nothing is sent.
	StartTime uint64
	// HostInit confirms a send to the machine's own PID 1 (CheckHostInit):
	// send's --yes-host-init, or its PID typed in the UI.
	HostInit bool
}

// SendReport is what happened, next to what was predicted.
type SendReport struct {
	PID        int
	Signal     procinspect.Signal
	From       predict.Sender
	Prediction predict.Prediction
	// Ended reports that the process exited during the watch; After is how
	// long after the send it did (or the watch time).
	Ended bool
	After time.Duration
	// Exit is the exit status (128+N for a death by signal N), when the
	// kernel tells it (PIDFD_INFO_EXIT needs Linux 6.15 and a reaped process).
	Exit procinspect.Int
	// State is the process's state letter after the watch, when alive.
	State byte
	// Pending reports that the signal is still pending, when alive.
	Pending bool
	// Held says whether the prediction held: known false for a mismatch;
	// unknown when the prediction was "depends" or "unknown".
	Held procinspect.Flag
	// Summary is one sentence for people.
	Summary string
}

// Send scans the target, predicts, opens a pidfd checked against the
// scanned start time, sends, and watches. It needs the live procfs of
// sigview's own PID namespace, because a pidfd is opened by PID.
func Send(sc procinspect.Scanner, req SendRequest) (SendReport, error) {
	rep := SendReport{PID: req.PID, Signal: req.Signal, From: req.From}
	if !req.Signal.Valid() {
		return rep, fmt.Errorf("signal %d out of range", req.Signal)
	}
	if req.Watch <= 0 {
		req.Watch = 2 * time.Second
	}
	root := procinspect.NewFS(sc.Root, false).Root
	if err := ownProcfs(root); err != nil {
		return rep, err
	}
	sc.Deep = []int{req.PID}
	// The live UI's process events (sc.Events) are its rescans' to take: a
	// take here would leave a running or the next rescan without what they
	// named. This scan lists /proc.
	sc.Events = nil
	snap, err := sc.Scan()
	if err != nil {
		return rep, err
	}
	p := snap.Process(req.PID)
	if p == nil {
		return rep, fmt.Errorf("PID %d: %w", req.PID, procinspect.ErrGone)
	}
	if p.StartTime == 0 {
		return rep, fmt.Errorf("PID %d: its start time is unreadable, so it cannot be told from a later process with the same PID", req.PID)
	}
	if req.StartTime != 0 && req.StartTime != p.StartTime {
		return rep, fmt.Errorf("PID %d started at tick %d, not %d as shown: %w", req.PID, p.StartTime, req.StartTime, ErrNotSame)
	}
	if err := CheckHostInit(snap, p, req.HostInit); err != nil {
		return rep, err
	}
	inside := snap.SendsFromInside(p)
	switch {
	case req.From == "" && inside:
		req.From = predict.Inside
	case req.From == "":
		req.From = predict.Host
	case req.From == predict.Host && inside:
		return rep, fmt.Errorf("%w: sigview runs in PID %d's own PID namespace (%s), or cannot tell that it runs in an ancestor of it, so a signal it sends comes from inside; send from inside, or run sigview in the host's PID namespace",
			ErrNotAncestor, req.PID, snap.Viewer.NS)
	}
	rep.From = req.From
	rep.Prediction = predict.AssessProcess(p, snap.Kernel).Prediction(req.Signal, req.From)
	h, err := Open(root, req.PID, p.StartTime)
	if err != nil {
		if errors.Is(err, syscall.ESRCH) || procinspect.Vanished(err) {
			return rep, fmt.Errorf("PID %d: %w", req.PID, procinspect.ErrGone)
		}
		return rep, err
	}
	defer h.Close()
	start := time.Now()
	if req.From == predict.Inside {
		err = h.SignalFromInside(root, syscall.Signal(req.Signal))
	} else {
		err = h.Signal(syscall.Signal(req.Signal))
	}
	if err != nil {
		return rep, err
	}
	rep.Ended, err = h.WaitExit(req.Watch)
	if err != nil {
		return rep, err
	}
	rep.After = time.Since(start)
	if rep.Ended {
		rep.Exit = exitOf(h)
	} else {
		rep.observeAlive(root)
	}
	rep.judge()
	return rep, nil
}

// exitOf waits briefly for the exit status: the pidfd is readable as soon
// as the process is a zombie, and the kernel keeps the status once its
// parent has reaped it.
func exitOf(h *Handle) procinspect.Int {
	deadline := time.Now().Add(500 * time.Millisecond)
	for {
		if ws, ok := h.ExitStatus(); ok {
			if ws.Signaled() {
				return procinspect.KnownInt(128 + int(ws.Signal()))
			}
			return procinspect.KnownInt(ws.ExitStatus())
		}
		if time.Now().After(deadline) {
			return procinspect.Int{}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *SendReport) observeAlive(root string) {
	st, err := procinspect.ReadStatus(filepath.Join(root, strconv.Itoa(r.PID), "status"))
	if err != nil {
		return
	}
	r.State = st.State
	r.Pending = st.ShdPnd.Has(r.Signal) || st.SigPnd.Has(r.Signal)
}

// observed is what was seen after a signal, for held.
type observed struct {
	ended bool
	exit  procinspect.Int // the exit status, when it ended and it is known
	// pending and stopped are what was seen while it lived on; unknown
	// when not looked at (try watches only whether it ended).
	pending, stopped procinspect.Flag
}

// held says whether what was observed is what pr predicted: unknown for a
// prediction of "depends" or "unknown". The one rule of send and try.
func held(pr predict.Prediction, o observed) procinspect.Flag {
	switch pr.Verdict {
	case predict.Yes:
		return procinspect.KnownFlag(o.ended && (!pr.Exit.Known || !o.exit.Known || pr.Exit.V == o.exit.V))
	case predict.No:
		if pr.Outcome == predict.Gone {
			// A zombie: it had ended before the signal, and a pidfd says so.
			return procinspect.KnownFlag(o.ended)
		}
		if endedOnItsOwn(pr, o) {
			return procinspect.Flag{} // not judged: the signal did not end it
		}
		ok := !o.ended
		switch pr.Outcome {
		case predict.Queued, predict.Deferred:
			ok = ok && (!o.pending.Known || o.pending.V)
		case predict.Stops:
			ok = ok && (!o.stopped.Known || o.stopped.V)
		}
		return procinspect.KnownFlag(ok)
	}
	return procinspect.Flag{}
}

// endedOnItsOwn reports a process that ended during the watch with an exit
// status the signal cannot explain (not 128+N for it) after a prediction
// that the signal would be ignored, dropped or left queued: it exited on
// its own, and that says nothing of the prediction.
func endedOnItsOwn(pr predict.Prediction, o observed) bool {
	switch pr.Outcome {
	case predict.Ignored, predict.Dropped, predict.Queued:
		return o.ended && o.exit.Known && o.exit.V != 128+int(pr.Signal)
	}
	return false
}

// judge compares what happened with the prediction.
func (r *SendReport) judge() {
	pr := r.Prediction
	what := r.happened()
	r.Held = held(pr, observed{ended: r.Ended, exit: r.Exit, pending: procinspect.KnownFlag(r.Pending),
		stopped: procinspect.KnownFlag(r.State == 'T' || r.State == 't')})
	o := observed{ended: r.Ended, exit: r.Exit}
	switch {
	case endedOnItsOwn(pr, o):
		r.Summary = fmt.Sprintf("%s: it ended on its own (exit status %d), not by %s, so the prediction (%s, %s) is not judged: %s",
			what, r.Exit.V, r.Signal, pr.Verdict, pr.Outcome, pr.Reason)
	case !r.Held.Known:
		r.Summary = fmt.Sprintf("%s; sigview predicted %s (%s): %s", what, pr.Verdict, pr.Outcome, pr.Reason)
	case r.Held.V && pr.Outcome == predict.Forwarded && !r.Ended:
		// send watches the target alone: whether the child it forwarded to
		// stopped, ended or ignored it is not looked at.
		r.Summary = fmt.Sprintf("%s, as predicted for it (%s, %s); what the forwarded signal did to its children was not watched: %s", what, pr.Verdict, pr.Outcome, pr.Reason)
	case r.Held.V:
		r.Summary = fmt.Sprintf("%s, as predicted (%s, %s): %s", what, pr.Verdict, pr.Outcome, pr.Reason)
	default:
		r.Summary = fmt.Sprintf("%s, but sigview predicted %s (%s): %s; the prediction did not hold", what, pr.Verdict, pr.Outcome, pr.Reason)
	}
}

// happened says what was observed.
func (r *SendReport) happened() string {
	if r.Ended {
		s := fmt.Sprintf("sent %s from %s; it ended %.3f s later", r.Signal, r.From, r.After.Seconds())
		if r.Exit.Known {
			s += fmt.Sprintf(" with exit status %d", r.Exit.V)
		}
		return s
	}
	s := fmt.Sprintf("sent %s from %s; still alive %.1f s later", r.Signal, r.From, r.After.Seconds())
	switch {
	case r.State == 'T' || r.State == 't':
		s += ", stopped"
	case r.Pending:
		s += fmt.Sprintf(", with %s pending", r.Signal)
	}
	return s
}
