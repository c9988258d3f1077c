package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
	"github.com/sigview/sigview/procinspect/predict"
)

// WriteExplain writes everything about one process (`sigview explain`):
// identity, predictions, stops and the fix hint, every signal's
// disposition, per-thread masks, and synchronous readers. Its
// sections are the exported functions below, which the TUI's detail view
// uses too, so each fact is worded once.
func WriteExplain(w io.Writer, as *predict.Assessments, p *procinspect.Process) error {
	ew := &errWriter{w: w}
	a := as.Of(p)
	s := as.Snapshot
	ew.printf("%s\n", IdentityLine(s, a))
	ew.printf("%s   sigview %s\n", nspidLine(p), Where(s))
	if p.Container != nil {
		ew.lines("", ContainerLines(p.Container, p.Engine))
	}
	ew.lines("", ProcessLines(a))
	if line := SigQLine(p); line != "" {
		ew.printf("%s\n", line)
	}
	ew.lines("", ProblemLines(p))
	ew.printf("\n%s:\n", PredictionsTitle)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(PredictionHeader, "\t"))
	for _, pr := range a.Predictions {
		fmt.Fprintln(tw, strings.Join(NewPredictionRow(pr).Cells(), "\t"))
	}
	tw.Flush()
	if len(a.Stops) > 0 {
		ew.printf("\n%s:\n", StopsTitle)
		for _, st := range a.Stops {
			ew.printf("  %s\n", StopSummary(st))
			ew.printf("    %s\n", StopFrom(st, false))
		}
	}
	if a.Hint != "" {
		ew.printf("\n%s\n", FixLine(a.Hint))
	}
	writeSignalTable(ew, p)
	writeThreads(ew, p)
	writeReaders(ew, p)
	return ew.err
}

// Titles of explain's sections.
const (
	PredictionsTitle = "Predictions (kill sent by root)"
	StopsTitle       = "Stops"
	SignalsTitle     = "Signals (handler from SigCgt/SigIgn, blocked per thread, pending per thread and shared)"
	ThreadsTitle     = "Threads"
	ReadersTitle     = "Synchronous readers (signalfd, sigtimedwait)"
)

// IdentityLine says who the process is and where: "PID 4242 (myinit),
// PID 1 inside, the init of PID namespace 4026532201 (level 1)".
func IdentityLine(s *procinspect.Snapshot, a *predict.Assessment) string {
	p := a.Process
	st := p.Status
	line := fmt.Sprintf("PID %d (%s)", p.PID, procinspect.Printable(st.Name))
	if ns := s.NamespaceOf(p); ns != nil {
		role := "a member of"
		if ns.Init == p {
			role = "the init of"
		}
		line += fmt.Sprintf(", PID %s inside, %s PID namespace %s", OrUnknown(st.NSPID()), role, nsName(ns))
	}
	return line
}

// nspidLine is the process's PID in each namespace from the procfs' own
// inward: "NSpid: 4242 1".
func nspidLine(p *procinspect.Process) string {
	return "NSpid: " + intsOrUnknown(p.Status.NSpid)
}

// ContainerLines are the container's line ("container: docker web1
// (3f4e5a6b7c8d), image …") and its engine's notes ("  note: …").
func ContainerLines(c *engine.Container, m *engine.Metadata) []string {
	lines := []string{"container: " + ContainerLong(c, m)}
	if m != nil {
		for _, n := range m.Notes {
			lines = append(lines, "  note: "+procinspect.Printable(n))
		}
	}
	return lines
}

// ProcessLines are the facts read about the process itself: cmdline,
// state and ids, and exe (when read in depth).
func ProcessLines(a *predict.Assessment) []string {
	p := a.Process
	st := *p.Status
	lines := []string{
		"cmdline: " + Cmdline(p),
		fmt.Sprintf("state: %s   threads: %s   ppid: %s   uid: %s   tracer: %s", State(st.State),
			IntOrUnknown(st.Threads), IntOrUnknown(st.PPid), UIDText(st), TracerText(st)),
	}
	if d := p.Deep; d != nil {
		goText := "unknown"
		if d.Go.Known {
			goText = map[bool]string{true: "yes", false: "no"}[d.Go.V]
		}
		prog := "-"
		if a.Program != procinspect.ProgUnknown {
			prog = string(a.Program)
		}
		lines = append(lines, fmt.Sprintf("exe: %s   Go program: %s   recognised as: %s", OrDash(procinspect.Printable(d.Exe)), goText, prog))
	}
	return lines
}

// SigQLine is the process's queued signals and its limit ("SigQ: 0/31349"),
// or "" when the line was not there.
func SigQLine(p *procinspect.Process) string {
	if p.Status.SigQ == "" {
		return ""
	}
	return "SigQ: " + procinspect.Printable(p.Status.SigQ)
}

// ProblemLines say what about the process was unreadable or malformed.
func ProblemLines(p *procinspect.Process) []string {
	var lines []string
	for _, prob := range p.Status.Problems {
		lines = append(lines, "warning: "+procinspect.Printable(prob))
	}
	return lines
}

// PredictionRow is one prediction as explain words it, cell by cell.
type PredictionRow struct {
	Signal, From, Verdict, Outcome, Reason string
}

// PredictionHeader names the columns of PredictionRow.Cells.
var PredictionHeader = []string{"SIGNAL", "FROM", "VERDICT", "OUTCOME", "REASON"}

// NewPredictionRow words one prediction.
func NewPredictionRow(pr predict.Prediction) PredictionRow {
	return PredictionRow{Signal: pr.Signal.String(), From: string(pr.From), Verdict: string(pr.Verdict),
		Outcome: string(pr.Outcome), Reason: procinspect.Printable(pr.Reason)}
}

// Cells are the row's cells in the order of PredictionHeader.
func (r PredictionRow) Cells() []string {
	return []string{r.Signal, r.From, r.Verdict, r.Outcome, r.Reason}
}

// StopSummary says what one engine's stop does to the process.
func StopSummary(st predict.Stop) string { return procinspect.Printable(st.Summary) }

// StopFrom says where the stop's signal and grace period come from:
// "from SIGINT: Config.StopSignal in …"; short names the files by their
// base name, for a screen.
func StopFrom(st predict.Stop, short bool) string {
	if short {
		return "from " + procinspect.Printable(st.ShortFrom())
	}
	return "from " + procinspect.Printable(st.From())
}

// FixLine is the fix hint: "Fix: …".
func FixLine(hint string) string { return "Fix: " + procinspect.Printable(hint) }

// SignalsUnknownLine says why the handlers are unknown, or is "".
func SignalsUnknownLine(p *procinspect.Process) string {
	if !p.Status.SigCgt.Known || !p.Status.SigIgn.Known {
		return "handlers unknown: the SigCgt/SigIgn lines are missing or malformed"
	}
	return ""
}

// PlainLine names the signals nothing is set for: "default, not blocked,
// not pending: HUP QUIT …", or "" when there are none.
func PlainLine(rows []SignalRow) string {
	if names := PlainNames(rows); names != "" {
		return "default, not blocked, not pending: " + names
	}
	return ""
}

// AllPlainLine says that no signal differs from a fresh process, for a
// screen that shows no table then.
const AllPlainLine = "every signal has its default action and none is blocked or pending"

// writeSignalTable lists every signal that is not plain default, then the rest by name.
func writeSignalTable(ew *errWriter, p *procinspect.Process) {
	ew.printf("\n%s:\n", SignalsTitle)
	if line := SignalsUnknownLine(p); line != "" {
		ew.printf("  %s\n", line)
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
	if line := PlainLine(rows); line != "" {
		ew.printf("  %s\n", line)
	}
}

// ThreadHeader names the columns of ThreadCells.
var ThreadHeader = []string{"TID", "STATE", "SigBlk", "SigPnd", "SYSCALL", "WCHAN"}

// ThreadCells are one thread's masks and where it waits.
func ThreadCells(t procinspect.Thread) []string {
	sc := "unknown"
	switch {
	case t.Syscall == -1:
		sc = "-"
	case t.Syscall >= 0:
		sc = fmt.Sprint(t.Syscall)
	}
	return []string{fmt.Sprint(t.TID), State(t.Status.State), maskText(t.Status.SigBlk),
		maskText(t.Status.SigPnd), sc, OrDash(procinspect.Printable(t.Wchan))}
}

// ThreadsUnreadableLine says why the threads could not be read, or is "".
func ThreadsUnreadableLine(p *procinspect.Process) string {
	if p.Deep == nil || p.Deep.ThreadsErr == "" {
		return ""
	}
	return "unreadable: " + procinspect.Printable(p.Deep.ThreadsErr)
}

func writeThreads(ew *errWriter, p *procinspect.Process) {
	if p.Deep == nil {
		return
	}
	ew.printf("\n%s:\n", ThreadsTitle)
	if line := ThreadsUnreadableLine(p); line != "" {
		ew.printf("  %s\n", line)
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+strings.Join(ThreadHeader, "\t"))
	for _, t := range p.Deep.Threads {
		fmt.Fprintln(tw, "  "+strings.Join(ThreadCells(t), "\t"))
	}
	tw.Flush()
}

// ReaderLines are the synchronous readers of signals, one a line with the
// mask they take ("signalfd 3 takes INT TERM (0000000000004002)"), "none",
// and why the fd table was unreadable; nil when the process was not read
// in depth.
func ReaderLines(p *procinspect.Process) []string {
	if p.Deep == nil {
		return nil
	}
	var lines []string
	if len(p.Deep.Consumers) == 0 {
		lines = append(lines, "none")
	}
	for _, c := range p.Deep.Consumers {
		lines = append(lines, readerText(c))
	}
	if p.Deep.FDErr != "" {
		lines = append(lines, "fd table unreadable: "+procinspect.Printable(p.Deep.FDErr))
	}
	return lines
}

func writeReaders(ew *errWriter, p *procinspect.Process) {
	if p.Deep == nil {
		return
	}
	ew.printf("\n%s:\n", ReadersTitle)
	ew.lines("  ", ReaderLines(p))
}

// readerName names one synchronous reader of signals: "signalfd 3",
// "sigtimedwait in thread 12".
func readerName(c procinspect.Consumer) string {
	if c.Kind == "signalfd" {
		return fmt.Sprintf("signalfd %d", c.FD)
	}
	return fmt.Sprintf("sigtimedwait in thread %d", c.TID)
}

// readerText says what one reader takes: "signalfd 3 takes INT TERM
// (0000000000004002)".
func readerText(c procinspect.Consumer) string {
	set := "an unknown set"
	if c.Set.Known {
		set = c.Set.Set.Compact() + " (" + c.Set.Set.Hex() + ")"
	}
	return readerName(c) + " takes " + set
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

// lines writes each line after indent.
func (e *errWriter) lines(indent string, lines []string) {
	for _, l := range lines {
		e.printf("%s%s\n", indent, l)
	}
}
