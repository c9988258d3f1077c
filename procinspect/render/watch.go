package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/watch"
)

// WriteWatchItem writes one line of `sigview watch`: an event, an update
// naming the event it completes, or a count of lost records.
func WriteWatchItem(w io.Writer, it watch.Item) error {
	_, err := io.WriteString(w, WatchLine(it)+"\n")
	return err
}

// WatchLine is the text of one watch item, without a newline.
func WatchLine(it watch.Item) string {
	switch v := it.(type) {
	case *watch.Event:
		return eventLine(v)
	case *watch.Update:
		return updateLine(v)
	case *watch.Lost:
		return fmt.Sprintf("%s LOST %d signal records (the kernel's ring buffer was full; %d lost in all)",
			v.Time.Format("15:04:05.000"), v.Count, v.Total)
	}
	return ""
}

func partyText(p watch.Party) string {
	var in []string
	if p.NSPID != p.PID {
		in = append(in, fmt.Sprintf("PID %d inside", p.NSPID))
	}
	in = append(in, fmt.Sprintf("pidns %d", p.PIDNS))
	if p.Container != "" {
		in = append(in, "container "+procinspect.Printable(p.Container))
	}
	return fmt.Sprintf("%d %s (%s)", p.PID, procinspect.Printable(p.Comm), strings.Join(in, ", "))
}

func eventLine(e *watch.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s %s to %s from ", e.ID, e.Time.Format("15:04:05.000"), e.Signal, partyText(e.Target))
	if e.From == watch.FromKernel {
		fmt.Fprintf(&b, "the kernel (si_code %d; %d %s was running)", e.Code, e.Sender.PID, procinspect.Printable(e.Sender.Comm))
	} else {
		fmt.Fprintf(&b, "%s, %s", partyText(e.Sender), e.From)
	}
	fmt.Fprintf(&b, ": %s", e.Result)
	if e.Why != "" {
		fmt.Fprintf(&b, " (%s)", e.Why)
	}
	if pr := e.Predicted; pr != nil {
		fmt.Fprintf(&b, "; predicted %s (%s)", pr.Verdict, pr.Outcome)
		pending := ""
		if e.Judging != "" {
			pending = "judged at its " + e.Judging
		}
		b.WriteString(agreeText(e.Agrees, pending))
	}
	for _, n := range e.Notes {
		fmt.Fprintf(&b, "; %s", n)
	}
	return b.String()
}

func agreeText(a *bool, pending string) string {
	switch {
	case a == nil:
		if pending == "" {
			return ""
		}
		return ", " + pending
	case *a:
		return " ✓ agrees"
	}
	return " ✗ disagrees"
}

func updateLine(u *watch.Update) string {
	var parts []string
	if u.Delivery != "" {
		parts = append(parts, "delivery "+u.Delivery)
	}
	if f := u.Fate; f != nil {
		parts = append(parts, "fate "+FateText(f))
	}
	s := fmt.Sprintf("#%d %s update: %s", u.ID, u.Time.Format("15:04:05.000"), strings.Join(parts, ", "))
	s += agreeText(u.Agrees, "")
	if u.Note != "" {
		s += "; " + u.Note
	}
	return s
}

// FateText says what became of a target: "exited 137 (SIGKILL) 0.001 s
// after the signal", "still running 2.0 s after the signal".
func FateText(f *watch.Fate) string {
	if !f.Exited {
		return fmt.Sprintf("still running %.1f s after the signal", f.After.Seconds())
	}
	s := fmt.Sprintf("exited %d", f.ExitCode)
	if f.Signal != 0 {
		s += fmt.Sprintf(" (killed by %s)", f.Signal)
	}
	return s + fmt.Sprintf(" %.3f s after the signal", f.After.Seconds())
}
