package metrics

// This file is the only one that knows sigview's scanner and its JSON
// document (procinspect.Document); the rest of the package works on
// Snapshot.

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
)

// Source scans a procfs and turns each scan into a Snapshot.
type Source struct {
	// Scanner reads the procfs; its Kernel profile is exported as
	// sigview_kernel_info.
	Scanner procinspect.Scanner
	// HostRoot is where the host's filesystem is ("" or "/" normally,
	// "/host" in the DaemonSet): the engines' state directories there name
	// containers and pods (package engine).
	HostRoot string
	// NoEngine turns off reading the engines' files.
	NoEngine bool

	mu    sync.Mutex
	cache map[string]engine.Metadata // by runtime and container id
}

// Scan runs one scan.
func (s *Source) Scan() (*Snapshot, error) {
	start := time.Now()
	snap, err := s.Scanner.Scan()
	if err != nil {
		return nil, err
	}
	doc := procinspect.Report(snap)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	out := &Snapshot{Time: snap.Time, Namespaces: len(doc.Namespaces), Warnings: len(doc.Warnings),
		Kernel: kernelOf(doc.Kernel), JSON: buf.Bytes()}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]engine.Metadata{}
	for _, ns := range doc.Namespaces {
		out.Processes += ns.ProcessCount
		if ns.Init != nil {
			out.Inits = append(out.Inits, s.initOf(ns, seen))
		}
	}
	s.cache = seen // forget containers that are gone
	out.Took = time.Since(start)
	return out, nil
}

// initOf is the exported row of a namespace's init.
func (s *Source) initOf(ns procinspect.DocNS, seen map[string]engine.Metadata) Init {
	in := ns.Init
	l := InitLabels{PIDNS: ns.ID, Program: in.Name}
	if in.Program != nil {
		l.Program = *in.Program
	}
	var md engine.Metadata
	if c := ns.Container; c != nil {
		l.Runtime, l.ContainerID, l.ContainerName = c.Runtime, c.ID, c.Name
		md = s.metadata(c, seen)
		if md.Name != "" {
			l.ContainerName = procinspect.Printable(md.Name)
		}
		l.PodNamespace, l.Pod = procinspect.Printable(md.Pod.Namespace), procinspect.Printable(md.Pod.Name)
		l.Container = procinspect.Printable(md.ContainerName)
	}
	row := Init{Labels: l}
	for _, p := range in.Predictions {
		row.Verdicts = append(row.Verdicts, Verdict{Signal: p.Signal, From: p.From, Verdict: p.Verdict})
	}
	if in.Stop != nil {
		row.Stop = stopOf(in.Stop, ns.Container, md)
	}
	return row
}

// metadata reads what the engine's files say about a container, once per
// container: its name, pod and stop configuration do not change while it
// runs, and finding the engines' state directories reads every command line.
func (s *Source) metadata(c *procinspect.DocContainer, seen map[string]engine.Metadata) engine.Metadata {
	if s.NoEngine || c.ID == "" {
		return engine.Metadata{}
	}
	key := c.Runtime + "/" + c.ID
	md, ok := s.cache[key]
	if !ok {
		md = engine.Lookup(c.Runtime, c.ID, engine.Options{Root: s.HostRoot, ProcRoot: s.Scanner.Root, PodUID: c.PodUID})
	}
	seen[key] = md
	return md
}

// stopOf picks the stop that applies: Kubernetes' for a pod's container,
// docker stop's otherwise (a namespace outside any container is stopped as
// `sigview try` and docker stop would). The document predicts a SIGTERM
// stop, so a container configured with another stop signal is unknown;
// a configured stop timeout replaces the default grace period.
func stopOf(st *procinspect.DocStops, c *procinspect.DocContainer, md engine.Metadata) *StopPrediction {
	d, out := st.Docker, &StopPrediction{By: "docker stop"}
	if md.Pod.Name != "" || md.Namespace == "k8s.io" || c != nil && (c.PodUID != "" || c.Runtime == "kubernetes" || c.Runtime == "cri-o") {
		d, out.By = st.Kubernetes, "kubernetes"
	}
	if md.StopSignal != "" && md.StopSignal != "SIG"+d.Signal && md.StopSignal != d.Signal {
		return out // another stop signal: the document does not predict it
	}
	switch d.Verdict {
	case "yes":
		out.NeedsSIGKILL = ptr(false)
	case "no":
		out.NeedsSIGKILL = ptr(true)
	}
	if d.AfterSeconds != nil {
		secs := float64(*d.AfterSeconds)
		if secs > 0 && md.StopTimeout.Known {
			secs = float64(md.StopTimeout.Value)
		}
		out.Seconds = &secs
	}
	out.ExitCode = d.ExitCode
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
func kernelOf(k *procinspect.DocKernel) KernelInfo {
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
