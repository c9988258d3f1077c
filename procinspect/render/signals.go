package render

import (
	"fmt"
	"strings"

	"github.com/sigview/sigview/procinspect"
)

// SignalRow is one signal of a process, decoded for display.
type SignalRow struct {
	sig                                      procinspect.Signal
	name, handler, blocked, pending, readers string
}

// Plain reports whether nothing about the signal differs from a fresh process.
func (r SignalRow) Plain() bool {
	return r.handler == "default" && r.blocked == "-" && r.pending == "-" && r.readers == "-"
}

// Cells are the row's cells in the order of SignalHeader.
func (r SignalRow) Cells() []string {
	return []string{fmt.Sprint(int(r.sig)), r.name, r.sig.DefaultAction(), r.handler, r.blocked, r.pending, r.readers}
}

// SignalHeader names the columns of SignalRow.Cells.
var SignalHeader = []string{"N", "NAME", "DEFAULT", "HANDLER", "BLOCKED", "PENDING", "READERS"}

// SignalRows decodes all 64 signals of p.
func SignalRows(p *procinspect.Process) []SignalRow {
	st := *p.Status
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

// threadsOf returns the threads read, or the leader alone.
func threadsOf(p *procinspect.Process) []procinspect.Thread {
	if p.Deep != nil && len(p.Deep.Threads) > 0 {
		return p.Deep.Threads
	}
	return []procinspect.Thread{{TID: p.PID, Status: *p.Status}}
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
			parts = append(parts, readerName(c))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

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
