package watch

import (
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect/sigtrace"
)

var t0 = time.Unix(1000, 0)

func gen(sig int, res sigtrace.Result, rel sigtrace.Relation, code int) sigtrace.Record {
	return sigtrace.Record{Kind: sigtrace.Generate, Time: t0, Signal: sig, Code: code, Result: res, Relation: rel,
		Sender: sigtrace.Task{TGID: 5, ViewPID: 5, PIDNS: 10, Comm: "kill"},
		Target: sigtrace.Task{TGID: 42, ViewPID: 42, PIDNS: 11, Level: 1, NSPID: 1, Comm: "sleep"}}
}

// TestVantage: the sender's vantage comes from si_code first (the kernel's
// own signals), then from the namespaces' relation.
func TestVantage(t *testing.T) {
	for _, c := range []struct {
		rel  sigtrace.Relation
		code int
		lvl  int
		want string
	}{
		{sigtrace.Same, 0, 1, "inside"}, {sigtrace.Ancestor, 0, 1, "host"}, {sigtrace.Same, 0, 0, "host"},
		{sigtrace.Other, 0, 1, "other"}, {sigtrace.Ancestor, 0x80, 1, "kernel"}, {sigtrace.Same, 1, 1, "kernel"},
		{sigtrace.Same, -2, 1, "kernel"}, {sigtrace.Same, -6, 1, "inside"}, {sigtrace.Ancestor, -1, 1, "host"},
	} {
		r := gen(15, sigtrace.Delivered, c.rel, c.code)
		r.Target.Level = c.lvl
		if got := vantage(r); got != c.want {
			t.Errorf("relation %d, si_code %d, level %d: %s, want %s", c.rel, c.code, c.lvl, got, c.want)
		}
	}
}

// TestFatalFastPath: a SIGTERM nobody handles is taken as SIGKILL; the
// SIGTERM's event gets the fatal delivery, with a note, then the fate.
func TestFatalFastPath(t *testing.T) {
	w := New()
	items := w.Handle(gen(15, sigtrace.Delivered, sigtrace.Ancestor, 0))
	ev := items[0].(*Event)
	if ev.ID != 1 || ev.From != "host" || ev.Result != "delivered" || ev.Predicted != nil || len(ev.Notes) == 0 {
		t.Fatalf("event %+v", ev)
	}
	d := sigtrace.Record{Kind: sigtrace.Deliver, Time: t0.Add(time.Millisecond), Signal: 9,
		Target: sigtrace.Task{TGID: 42}}
	items = w.Handle(d)
	if len(items) != 1 {
		t.Fatalf("delivery: %v", items)
	}
	u := items[0].(*Update)
	if u.ID != 1 || u.Delivery != Fatal || u.Note == "" {
		t.Errorf("delivery update %+v", u)
	}
	items = w.Handle(sigtrace.Record{Kind: sigtrace.Exit, Time: t0.Add(2 * time.Millisecond), ExitStatus: 9,
		Target: sigtrace.Task{TGID: 42}})
	u = items[0].(*Update)
	if f := u.Fate; u.ID != 1 || f == nil || !f.Exited || f.ExitCode != 137 || f.Signal != 9 || f.After != 2*time.Millisecond {
		t.Errorf("fate update %+v %+v", u, u.Fate)
	}
	if got := w.Expire(t0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("an exited target's event settled again: %v", got)
	}
}

// TestDeliveries: what get_signal does, inferred from the disposition and
// the init flag at the tracepoint.
func TestDeliveries(t *testing.T) {
	for _, c := range []struct {
		sig        int
		handler    uint64
		unkillable bool
		want       string
	}{
		{15, sigtrace.SigDFL, true, Dropped}, {15, sigtrace.SigDFL, false, Fatal}, {9, sigtrace.SigDFL, true, Fatal},
		{15, 0x401000, true, Handler}, {15, sigtrace.SigIGN, false, Ignored}, {28, sigtrace.SigDFL, false, Ignored},
		{20, sigtrace.SigDFL, false, Stopped}, {19, sigtrace.SigDFL, true, Stopped},
	} {
		r := sigtrace.Record{Signal: c.sig, Handler: c.handler, Unkillable: c.unkillable}
		if got := delivery(r); got != c.want {
			t.Errorf("signal %d handler %#x init %v: %s, want %s", c.sig, c.handler, c.unkillable, got, c.want)
		}
	}
}

// TestSettle: an event whose target still runs Settle later gets a
// "running" fate; a later exit another.
func TestSettle(t *testing.T) {
	w := New()
	w.Handle(gen(15, sigtrace.Ignored, sigtrace.Ancestor, 0))
	if got := w.Expire(t0.Add(time.Second)); len(got) != 0 {
		t.Fatalf("settled early: %v", got)
	}
	got := w.Expire(t0.Add(DefaultSettle))
	if len(got) != 1 || got[0].(*Update).Fate == nil || got[0].(*Update).Fate.Exited {
		t.Fatalf("settle: %v", got)
	}
	items := w.Handle(sigtrace.Record{Kind: sigtrace.Exit, Time: t0.Add(10 * time.Second), ExitStatus: 3 << 8,
		Target: sigtrace.Task{TGID: 42}})
	if len(items) != 1 || items[0].(*Update).Fate.ExitCode != 3 || items[0].(*Update).Agrees != nil {
		t.Errorf("later exit: %+v", items)
	}
}

// TestWhyIgnored names the reason from the disposition at generation.
func TestWhyIgnored(t *testing.T) {
	r := gen(15, sigtrace.Ignored, sigtrace.Ancestor, 0)
	r.Unkillable = true
	if o, why := whyIgnored(r); o != "dropped" || why == "" {
		t.Errorf("init SIG_DFL: %s %q", o, why)
	}
	r.Handler = sigtrace.SigIGN
	if o, _ := whyIgnored(r); o != "ignored" {
		t.Errorf("SIG_IGN: %s", o)
	}
}

// TestEventDropped: an event says Dropped only for a signal the kernel
// dropped at an init (init protection), not for one the target's
// disposition ignores, nor for one it delivered.
func TestEventDropped(t *testing.T) {
	for _, c := range []struct {
		sig        int
		res        sigtrace.Result
		handler    uint64
		unkillable bool
		want       bool
	}{
		{15, sigtrace.Ignored, sigtrace.SigDFL, true, true},
		{15, sigtrace.Ignored, sigtrace.SigIGN, true, false},
		{23, sigtrace.Ignored, sigtrace.SigDFL, true, false}, // SIGURG: default ignore
		{15, sigtrace.Delivered, sigtrace.SigDFL, true, false},
		{15, sigtrace.Delivered, 0x401000, true, false},
	} {
		r := gen(c.sig, c.res, sigtrace.Ancestor, 0)
		r.Handler, r.Unkillable = c.handler, c.unkillable
		ev := New().Handle(r)[0].(*Event)
		if ev.Dropped != c.want {
			t.Errorf("signal %d, result %s, handler %#x: Dropped %v, want %v", c.sig, c.res, c.handler, ev.Dropped, c.want)
		}
	}
}
