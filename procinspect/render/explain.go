package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// WriteExplain writes everything about one process: identity, every
// signal's disposition, per-thread masks, readers, and predictions.
func WriteExplain(w io.Writer, as *predict.Assessments, p *procinspect.Process) error {
	ew := &errWriter{w: w}
	a := as.Of(p)
	writeIdentity(ew, as.Snapshot, a)
	ew.printf("\nPredictions (kill sent by root):\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SIGNAL\tFROM\tVERDICT\tOUTCOME\tREASON")
	for _, pr := range a.Predictions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", pr.Signal, pr.From, pr.Verdict, pr.Outcome, procinspect.Printable(pr.Reason))
	}
	tw.Flush()
	if len(a.Stops) > 0 {
		ew.printf("\nStops:\n")
		for _, s := range a.Stops {
			ew.printf("  %s\n", procinspect.Printable(s.Summary))
			ew.printf("    from %s\n", procinspect.Printable(s.From()))
		}
	}
	if a.Hint != "" {
		ew.printf("\nFix: %s\n", procinspect.Printable(a.Hint))
	}
	writeSignalTable(ew, p)
	writeThreads(ew, p)
	writeReaders(ew, p)
	return ew.err
}

func writeIdentity(ew *errWriter, s *procinspect.Snapshot, a *predict.Assessment) {
	p := a.Process
	st := p.Status
	ew.printf("PID %d (%s)", p.PID, procinspect.Printable(st.Name))
	if ns := s.NamespaceOf(p); ns != nil {
		role := "a member of"
		if ns.Init == p {
			role = "the init of"
		}
		ew.printf(", PID %s inside, %s PID namespace %s", OrUnknown(st.NSPID()), role, nsName(ns))
	}
	ew.printf("\n")
	ew.printf("NSpid: %s   sigview %s\n", intsOrUnknown(st.NSpid), Where(s))
	if p.Container != nil {
		ew.printf("container: %s\n", ContainerLong(p.Container, p.Engine))
		if p.Engine != nil {
			for _, n := range p.Engine.Notes {
				ew.printf("  note: %s\n", procinspect.Printable(n))
			}
		}
	}
	ew.printf("cmdline: %s\n", Cmdline(p))
	ew.printf("state: %s   threads: %s   ppid: %s   uid: %s   tracer: %s\n", State(st.State),
		IntOrUnknown(st.Threads), IntOrUnknown(st.PPid), UIDText(st), TracerText(st))
	if d := p.Deep; d != nil {
		goText := "unknown"
		if d.Go.Known {
			goText = map[bool]string{true: "yes", false: "no"}[d.Go.V]
		}
		prog := "-"
		if a.Program != procinspect.ProgUnknown {
			prog = string(a.Program)
		}
		ew.printf("exe: %s   Go program: %s   recognised as: %s\n", OrDash(procinspect.Printable(d.Exe)), goText, prog)
	}
	if st.SigQ != "" {
		ew.printf("SigQ: %s\n", procinspect.Printable(st.SigQ))
	}
	for _, prob := range st.Problems {
		ew.printf("warning: %s\n", procinspect.Printable(prob))
	}
}

// SignalRow is one signal of a process, decoded for display.
type SignalRow struct {
	sig                                      procinspect.Signal
	name, handler, blocked, pending, readers string
}

// plain reports whether nothing about the signal differs from a fresh process.
func (r SignalRow) Plain() bool {
	return r.handler == "default" && r.blocked == "-" && r.pending == "-" && r.readers == "-"
}

func (r SignalRow) Cells() []string {
	return []string{fmt.Sprint(int(r.sig)), r.name, r.sig.DefaultAction(), r.handler, r.blocked, r.pending, r.readers}
}

// SignalHeader names the columns of SignalRow.cells.
var SignalHeader = []string{"N", "NAME", "DEFAULT", "HANDLER", "BLOCKED", "PENDING", "READERS"}

// SignalRows decodes all 64 signals of p.
func SignalRows(p *procinspect.Process) []SignalRow {
	st := p.Status
	threads := threadsOf(p)
	rows := make([]SignalRow, 0, procinspect.NSig)
	for sig := procinspect.Signal(1); sig <= procinspect.NSig; sig++ {
		rows = append(rows, SignalRow{sig: sig, name: sig.String() + glibcNote(sig), handler: handlerText(st, sig),
			blocked: blockedText(threads, sig), pending: pendingText(st, threads, sig), readers: readersText(p, sig)})
	}
	return rows
}

// PlainNames lists the plain signals' short names, real-time runs folded.
func PlainNames(rows []SignalRow) string {
	var plain procinspect.SigSet
	for _, r := range rows {
		if r.Plain() {
			plain = plain.With(r.sig)
		}
	}
	return strings.Join(plain.CompactNames(), " ")
}

// writeSignalTable lists every signal that is not plain default, then the rest by name.
func writeSignalTable(ew *errWriter, p *procinspect.Process) {
	st := p.Status
	ew.printf("\nSignals (handler from SigCgt/SigIgn, blocked per thread, pending per thread and shared):\n")
	if !st.SigCgt.Known || !st.SigIgn.Known {
		ew.printf("  handlers unknown: the SigCgt/SigIgn lines are missing or malformed\n")
	}
	rows := SignalRows(p)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+strings.Join(SignalHeader, "\t"))
	for _, r := range rows {
		if !r.Plain() {
			fmt.Fprintln(tw, "  "+strings.Join(r.Cells(), "\t"))
		}
	}
	tw.Flush()
	if names := PlainNames(rows); names != "" {
		ew.printf("  default, not blocked, not pending: %s\n", names)
	}
}

func writeThreads(ew *errWriter, p *procinspect.Process) {
	if p.Deep == nil {
		return
	}
	ew.printf("\nThreads:\n")
	if p.Deep.ThreadsErr != "" {
		ew.printf("  unreadable: %s\n", procinspect.Printable(p.Deep.ThreadsErr))
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TID\tSTATE\tSigBlk\tSigPnd\tSYSCALL\tWCHAN")
	for _, t := range p.Deep.Threads {
		sc := "unknown"
		switch {
		case t.Syscall == -1:
			sc = "-"
		case t.Syscall >= 0:
			sc = fmt.Sprint(t.Syscall)
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\n", t.TID, State(t.Status.State), maskText(t.Status.SigBlk),
			maskText(t.Status.SigPnd), sc, OrDash(procinspect.Printable(t.Wchan)))
	}
	tw.Flush()
}

func writeReaders(ew *errWriter, p *procinspect.Process) {
	if p.Deep == nil {
		return
	}
	ew.printf("\nSynchronous readers (signalfd, sigtimedwait):\n")
	if len(p.Deep.Consumers) == 0 {
		ew.printf("  none\n")
	}
	for _, c := range p.Deep.Consumers {
		ew.printf("  %s\n", ReaderText(c, true))
	}
	if p.Deep.FDErr != "" {
		ew.printf("  fd table unreadable: %s\n", procinspect.Printable(p.Deep.FDErr))
	}
}

// threadsOf returns the threads read, or the leader alone.
func threadsOf(p *procinspect.Process) []procinspect.Thread {
	if p.Deep != nil && len(p.Deep.Threads) > 0 {
		return p.Deep.Threads
	}
	return []procinspect.Thread{{TID: p.PID, Status: p.Status}}
}

func handlerText(st procinspect.Status, sig procinspect.Signal) string {
	switch {
	case sig == procinspect.SIGKILL || sig == procinspect.SIGSTOP:
		return "default"
	case !st.SigCgt.Known || !st.SigIgn.Known:
		return "unknown"
	case st.SigCgt.Has(sig):
		return "caught"
	case st.SigIgn.Has(sig):
		return "ignored"
	}
	return "default"
}

func blockedText(threads []procinspect.Thread, sig procinspect.Signal) string {
	n, known := 0, true
	for _, t := range threads {
		if !t.Status.SigBlk.Known {
			known = false
		}
		if t.Status.SigBlk.Has(sig) {
			n++
		}
	}
	switch {
	case !known:
		return "unknown"
	case n == 0:
		return "-"
	case len(threads) == 1:
		return "yes"
	}
	return fmt.Sprintf("%d/%d threads", n, len(threads))
}

func pendingText(st procinspect.Status, threads []procinspect.Thread, sig procinspect.Signal) string {
	var parts []string
	for _, t := range threads {
		if t.Status.SigPnd.Has(sig) {
			parts = append(parts, fmt.Sprintf("thread %d", t.TID))
		}
	}
	if st.ShdPnd.Has(sig) {
		parts = append(parts, "shared")
	}
	if !st.ShdPnd.Known {
		return "unknown"
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

func readersText(p *procinspect.Process, sig procinspect.Signal) string {
	if p.Deep == nil {
		return "-"
	}
	var parts []string
	for _, c := range p.Deep.Consumers {
		if c.Set.Has(sig) {
			parts = append(parts, ReaderName(c))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

// ReaderName names one synchronous reader of signals: "signalfd 3",
// "sigtimedwait in thread 12".
func ReaderName(c procinspect.Consumer) string {
	if c.Kind == "signalfd" {
		return fmt.Sprintf("signalfd %d", c.FD)
	}
	return fmt.Sprintf("sigtimedwait in thread %d", c.TID)
}

// ReaderText says what one reader takes, the one wording of explain and
// the detail view: "signalfd 3 takes INT TERM"; hex adds the mask.
func ReaderText(c procinspect.Consumer, hex bool) string {
	set := "an unknown set"
	if c.Set.Known {
		set = c.Set.Set.Compact()
		if hex {
			set += " (" + c.Set.Set.Hex() + ")"
		}
	}
	return ReaderName(c) + " takes " + set
}

func nsName(ns *procinspect.Namespace) string {
	if ns.ID.IsZero() {
		return "unknown"
	}
	s := ns.ID.String()
	if ns.Level >= 0 {
		s += fmt.Sprintf(" (level %d)", ns.Level)
	}
	return s
}

func Cmdline(p *procinspect.Process) string {
	if len(p.Cmdline) == 0 {
		return "-"
	}
	args := make([]string, len(p.Cmdline))
	for i, a := range p.Cmdline {
		args[i] = procinspect.Printable(a)
	}
	return strings.Join(args, " ")
}

func maskText(m procinspect.Mask) string {
	if !m.Known {
		return "unknown"
	}
	return m.Set.Hex()
}

func OrUnknown(n int) string {
	if n == 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}

func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func IntOrUnknown(i procinspect.Int) string {
	if !i.Known {
		return "unknown"
	}
	return fmt.Sprint(i.V)
}

func intsOrUnknown(v []int) string {
	if len(v) == 0 {
		return "unknown"
	}
	return strings.Trim(fmt.Sprint(v), "[]")
}

func UIDText(st procinspect.Status) string {
	if !st.Uid.Known {
		return "unknown"
	}
	return fmt.Sprint(st.Uid.V[0])
}

func TracerText(st procinspect.Status) string {
	switch {
	case !st.TracerPid.Known:
		return "unknown"
	case st.TracerPid.V == 0:
		return "none"
	}
	return fmt.Sprint(st.TracerPid.V)
}

// errWriter keeps the first write error so a report is written without
// checking every line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

// glibcNote labels the real-time signals glibc keeps for itself.
func glibcNote(sig procinspect.Signal) string {
	switch sig {
	case 32:
		return " (glibc SIGCANCEL)"
	case 33:
		return " (glibc SIGSETXID)"
	}
	return ""
}
