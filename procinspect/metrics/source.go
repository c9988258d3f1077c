package metrics

// This file is the only one that knows sigview's scanner and its JSON
// document (document.Document); the rest of the package works on
// Snapshot.

import (
	"bytes"
	"encoding/json"
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
}

// Scan runs one scan.
func (s *Source) Scan() (*Snapshot, error) {
	start := time.Now()
	snap, err := s.Scanner.Scan()
	if err != nil {
		return nil, err
	}
	doc := document.Report(snap, predict.Assess(snap, snap.Kernel))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	out := &Snapshot{Time: snap.Time, Namespaces: len(doc.Namespaces), Warnings: len(doc.Warnings),
		Kernel: kernelOf(doc.Kernel), JSON: buf.Bytes()}
	for _, ns := range doc.Namespaces {
		out.Processes += ns.ProcessCount
		if ns.Init != nil {
			out.Inits = append(out.Inits, initOf(ns))
		}
	}
	out.Took = time.Since(start)
	return out, nil
}

// initOf is the exported row of a namespace's init. Names a process or an
// engine's files control are escaped (procinspect.Printable).
func initOf(ns document.DocNS) Init {
	in := ns.Init
	l := InitLabels{PIDNS: ns.ID, Program: in.Name}
	if in.Program != nil {
		l.Program = *in.Program
	}
	if c := ns.Container; c != nil {
		l.Runtime, l.ContainerID = procinspect.Printable(c.Runtime), procinspect.Printable(c.ID)
		l.ContainerName, l.Container = procinspect.Printable(c.Name), procinspect.Printable(c.ContainerName)
		if c.Pod != nil {
			l.PodNamespace, l.Pod = procinspect.Printable(c.Pod.Namespace), procinspect.Printable(c.Pod.Name)
		}
	}
	row := Init{Labels: l}
	for _, p := range in.Predictions {
		row.Verdicts = append(row.Verdicts, Verdict{Signal: p.Signal, From: p.From, Verdict: p.Verdict})
	}
	if len(in.Stop) > 0 {
		row.Stop = stopOf(in.Stop, ns.Container)
	}
	return row
}

// stopOf picks the stop that applies. With the container's engine
// configuration the document holds that one stop; without, it holds the
// defaults of docker stop and Kubernetes, and Kubernetes' applies to a
// pod's container, docker stop's to anything else (a namespace outside any
// container is stopped as docker stop and `sigview try` would).
func stopOf(stops document.DocStops, c *document.DocContainer) *StopPrediction {
	var d document.DocStop
	if len(stops) == 1 {
		for _, st := range stops {
			d = st
		}
	} else {
		key := "docker"
		if c != nil && (c.PodUID != "" || c.Pod != nil || c.Runtime == "kubernetes" || c.Runtime == "cri-o") {
			key = "kubernetes"
		}
		var ok bool
		if d, ok = stops[key]; !ok {
			return &StopPrediction{}
		}
	}
	out := &StopPrediction{By: d.By, ExitCode: d.ExitCode}
	switch d.Verdict {
	case "yes":
		out.NeedsSIGKILL = ptr(false)
	case "no":
		out.NeedsSIGKILL = ptr(true)
	}
	if d.AfterSeconds != nil {
		out.Seconds = ptr(float64(*d.AfterSeconds))
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

// kernelOf is the kernel profile's identity and rules.
func kernelOf(k *document.DocKernel) KernelInfo {
	if k == nil {
		return KernelInfo{Source: "none"}
	}
	out := KernelInfo{Release: k.Release, Version: k.Version, Source: k.Source}
	for _, r := range k.Rules {
		v := "unknown"
		if r.Value != nil {
			v = strconv.FormatBool(*r.Value)
		}
		out.Rules = append(out.Rules, KernelRule{Name: r.Name, Value: v})
	}
	return out
}

func ptr[T any](v T) *T { return &v }
