package metrics

// This file is the only one (tests aside) that knows sigview's scanner and
// its judgement: it turns a scan's predict.Assessments into a Snapshot, the
// rows the rest of the package exports. When asked (Source.Document) it
// also encodes the scan's JSON document (document.WriteReportEach)
// for /api/v1/snapshot, but reads nothing back from it.

import (
	"bytes"
	"strconv"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
)

// Source scans a procfs and turns each scan into a Snapshot. The scanner
// reads the engines' files next to the procfs (/ for /proc, /host for
// /host/proc), which name containers and pods and say how each is stopped.
type Source struct {
	// Scanner reads the procfs; its Kernel profile is exported as
	// sigview_kernel_info.
	Scanner procinspect.Scanner
	// Document builds each scan's --json document (Snapshot.JSON) for
	// /api/v1/snapshot; without it Snapshot.JSON is nil.
	Document bool
	// FullCmdline keeps each init's whole command line in the document.
	// Without it an init's cmdline is argv[0] alone: arguments can carry
	// secrets (--password=…), and the document is served over the network.
	FullCmdline bool
	// OnAssess, when set, is given each scan's assessments (the signal
	// recorder's predictions come from them).
	OnAssess func(*predict.Assessments)

	// prev is the last scan: without Document, each scan builds on it
	// (procinspect.Scanner.Prev) and reads what changed; the document is a
	// full scan's. Scan is called by one goroutine at a time (Server.Run).
	prev *procinspect.Snapshot
	// prevAs are prev's assessments: an init whose facts did not change
	// keeps its own (predict.Reassess).
	prevAs *predict.Assessments
}

// Scan runs one scan.
func (s *Source) Scan() (*Snapshot, error) {
	start := time.Now()
	sc := s.Scanner
	if !s.Document {
		sc.Prev = s.prev
	}
	snap, err := sc.Scan()
	if err != nil {
		return nil, err
	}
	as := predict.Reassess(s.prevAs, snap, snap.Kernel)
	if !s.Document {
		s.prev, s.prevAs = snap, as
	}
	if s.OnAssess != nil {
		s.OnAssess(as)
	}
	out := &Snapshot{Time: snap.Time, Namespaces: len(snap.Namespaces), Warnings: len(snap.Warnings),
		Kernel: kernelOf(as.Kernel)}
	if s.Document {
		// Written a namespace at a time: only the bytes are held.
		var edit func(*document.DocNS)
		if !s.FullCmdline {
			edit = argv0Only
		}
		var buf bytes.Buffer
		if err := document.WriteReportEach(&buf, snap, as, edit); err != nil {
			return nil, err
		}
		out.JSON = buf.Bytes()
	}
	for _, ns := range snap.Namespaces {
		out.Processes += len(ns.Procs)
		if ns.Init != nil {
			out.Inits = append(out.Inits, initOf(ns, as.Of(ns.Init)))
		}
	}
	out.Took = time.Since(start)
	return out, nil
}

// argv0Only cuts the command line of a namespace's init to its first
// word, the program's name as it was started.
func argv0Only(ns *document.DocNS) {
	if in := ns.Init; in != nil && len(in.Cmdline) > 1 {
		in.Cmdline = in.Cmdline[:1]
	}
}

// OtherProgram is the program label of an init sigview does not recognise.
// The label never carries the process's own name, which the init sets at
// will (prctl(PR_SET_NAME), exec -a): its values are the rows of
// procinspect's programs table and this one.
const OtherProgram = "other"

// initOf is the exported row of a namespace's init, from its assessment.
// Names a process or an engine's files control are escaped here, once
// (procinspect.Printable); the rest are sigview's own.
func initOf(ns *procinspect.Namespace, a *predict.Assessment) Init {
	l := InitLabels{PIDNS: ns.ID.String(), Program: OtherProgram}
	if a.Program != procinspect.ProgUnknown {
		l.Program = string(a.Program)
	}
	if c := ns.Container(); c != nil {
		l.Runtime, l.ContainerID, l.ContainerName = c.Runtime, procinspect.Printable(c.ID), procinspect.Printable(c.Name)
		if m := ns.Engine(); m != nil {
			if m.Name != "" {
				l.ContainerName = procinspect.Printable(m.Name)
			}
			l.Container = procinspect.Printable(m.ContainerName)
			l.PodNamespace, l.Pod = procinspect.Printable(m.Pod.Namespace), procinspect.Printable(m.Pod.Name)
		}
	}
	row := Init{Labels: l}
	for _, pr := range a.Core() { // exported only with Options.Verdicts
		row.Verdicts = append(row.Verdicts, Verdict{Signal: pr.Signal.String(), From: string(pr.From), Verdict: string(pr.Verdict)})
	}
	if st, ok := a.AppliedStop(); ok {
		row.Stop = stopOf(st)
	}
	return row
}

// stopOf is what the stop that applies does (predict.Assessment.AppliedStop).
func stopOf(st predict.Stop) *StopPrediction {
	out := &StopPrediction{By: st.By, Signal: stopSignalName(st.Signal), Assumed: st.Assumed()}
	if n := st.NeedsSIGKILL(); n.Known {
		out.NeedsSIGKILL = &n.V
	}
	if after, ok := st.AfterSeconds(); ok {
		secs := float64(after) // whole seconds, as the document's after_seconds
		out.Seconds = &secs
	}
	if st.Exit.Known {
		code := st.Exit.V
		out.ExitCode = &code
	}
	return out
}

// kernelRuleNames are the measured kernel rules, each a label of
// sigview_kernel_info.
var kernelRuleNames = func() []string {
	var out []string
	for _, r := range procinspect.AllRules {
		out = append(out, string(r))
	}
	return out
}()

// kernelOf is the kernel profile's identity and rules. The release and
// version are the running kernel's uname strings, escaped like a name.
func kernelOf(k *procinspect.Kernel) KernelInfo {
	if k == nil {
		return KernelInfo{Source: "none"}
	}
	out := KernelInfo{Release: procinspect.Printable(k.Release), Version: procinspect.Printable(k.Version), Source: k.Source}
	for _, name := range procinspect.AllRules {
		v := "unknown"
		if r := k.Rule(name); r.Value.Known {
			v = strconv.FormatBool(r.Value.V)
		}
		out.Rules = append(out.Rules, KernelRule{Name: string(name), Value: v})
	}
	return out
}
