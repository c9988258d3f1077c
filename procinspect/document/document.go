package document

import (
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
	"github.com/sigview/sigview/procinspect/predict"
)

// SchemaVersion is the version of the JSON document (docs/json.md).
const SchemaVersion = 2

// Document is the JSON document of `sigview --json` (docs/json.md, schema
// version 1). Other tools read it: keep names and meanings stable.
type Document struct {
	SchemaVersion int       `json:"schema_version"`
	ProcRoot      string    `json:"proc_root"`
	Viewer        DocViewer `json:"viewer"`
	Namespaces    []DocNS   `json:"namespaces"`
	Vanished      int       `json:"vanished"`
	Warnings      []string  `json:"warnings"`
	// Kernel is the measured profile of the running kernel (docs/json.md).
	Kernel *DocKernel `json:"kernel"`
}

// DocKernel is the kernel profile: the build-dependent rules, as measured.
type DocKernel struct {
	Release string `json:"release"`
	Version string `json:"version"`
	// ProbedAt is when the rules were measured (RFC 3339), null when not.
	ProbedAt *string `json:"probed_at"`
	// Source is "probe", "cache" or "none"; Method says how it was measured
	// or why not.
	Source string    `json:"source"`
	Method string    `json:"method"`
	TookMS *float64  `json:"took_ms"`
	Rules  []DocRule `json:"rules"`
}

// DocRule is one measured rule; Value is null when it could not be measured.
type DocRule struct {
	Name  string `json:"name"`
	Value *bool  `json:"value"`
	How   string `json:"how"`
}

// DocKernelOf is the JSON form of a kernel profile; nil for nil.
func DocKernelOf(k *procinspect.Kernel) *DocKernel {
	if k == nil {
		return nil
	}
	d := &DocKernel{Release: procinspect.Printable(k.Release), Version: procinspect.Printable(k.Version), Source: k.Source, Method: k.Method, Rules: []DocRule{}}
	if !k.ProbedAt.IsZero() {
		d.ProbedAt = ptr(k.ProbedAt.UTC().Format(time.RFC3339))
		d.TookMS = ptr(float64(k.Took.Microseconds()) / 1000)
	}
	for _, name := range procinspect.AllRules {
		r := k.Rule(name)
		dr := DocRule{Name: string(name), How: r.How}
		if r.Value.Known {
			dr.Value = ptr(r.Value.V)
		}
		d.Rules = append(d.Rules, dr)
	}
	return d
}

// DocViewer is where sigview runs.
type DocViewer struct {
	PIDNS     *uint64 `json:"pid_ns"`
	InitialNS *bool   `json:"initial_ns"`
}

// DocNS is one PID namespace.
type DocNS struct {
	// Inode is the namespace's inode; null when it is unknown (another
	// user's ns/pid is unreadable), never a made-up number.
	Inode *uint64 `json:"inode"`
	// ID names the namespace uniquely within the document: the inode in
	// decimal, "init PID N" for a namespace known only by its init, or
	// "unknown" for the group of processes whose namespace is unidentified.
	ID    string `json:"id"`
	Level *int   `json:"level"`
	// Parent is the parent namespace's inode, null when it or its inode is
	// unknown; ParentID is its ID, null when the parent is unknown.
	Parent       *uint64       `json:"parent"`
	ParentID     *string       `json:"parent_id"`
	ProcessCount int           `json:"process_count"`
	Container    *DocContainer `json:"container"`
	Init         *DocInit      `json:"init"`
	Processes    []DocProcess  `json:"processes"`
}

// DocContainer names the container a namespace belongs to, from the
// init's cgroup path, and what its engine's files say about it.
type DocContainer struct {
	Runtime string        `json:"runtime"`
	ID      string        `json:"id"`
	PodUID  string        `json:"pod_uid,omitempty"`
	Name    string        `json:"name,omitempty"`
	Cgroup  string        `json:"cgroup"`
	Outer   *DocContainer `json:"outer,omitempty"`
	// From the engine's files (absent when the runtime keeps none):
	Image              string   `json:"image,omitempty"`
	StopSignal         string   `json:"stop_signal,omitempty"`
	StopSignalNumber   *int     `json:"stop_signal_number,omitempty"`
	StopTimeoutSeconds *int64   `json:"stop_timeout_seconds,omitempty"`
	Init               *bool    `json:"init,omitempty"`
	Pod                *DocPod  `json:"pod,omitempty"`
	ContainerName      string   `json:"container_name,omitempty"`
	Namespace          string   `json:"namespace,omitempty"`
	Files              []string `json:"files,omitempty"`
	Notes              []string `json:"notes,omitempty"`
}

// DocPod is the Kubernetes pod of a container.
type DocPod struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	UID       string `json:"uid"`
}

func docContainer(c *engine.Container) *DocContainer {
	if c == nil {
		return nil
	}
	return &DocContainer{Runtime: c.Runtime, ID: procinspect.Printable(c.ID), PodUID: procinspect.Printable(c.PodUID), Name: procinspect.Printable(c.Name),
		Cgroup: procinspect.Printable(c.Path), Outer: docContainer(c.Outer)}
}

// docEngine adds what the engine's files say to a container.
func docEngine(d *DocContainer, m *engine.Metadata) {
	if d == nil || m == nil {
		return
	}
	// Every string here comes from files a container's owner can write
	// (labels, annotations, names): escaped like a process name.
	if m.Name != "" {
		d.Name = procinspect.Printable(m.Name)
	}
	d.Image, d.StopSignal = procinspect.Printable(m.Image), procinspect.Printable(m.StopSignal)
	if sig, err := procinspect.ParseSignal(m.StopSignal); err == nil && m.StopSignal != "" {
		// The engines' names and numbers are sigview's (SIGRTMIN = 34).
		d.StopSignal, d.StopSignalNumber = sig.String(), ptr(int(sig))
	}
	d.ContainerName, d.Namespace = procinspect.Printable(m.ContainerName), procinspect.Printable(m.Namespace)
	if m.StopTimeout.Known {
		d.StopTimeoutSeconds = &m.StopTimeout.Value
	}
	if m.Init.Known {
		d.Init = &m.Init.Value
	}
	if m.Pod != (engine.Pod{}) {
		d.Pod = &DocPod{Namespace: procinspect.Printable(m.Pod.Namespace), Name: procinspect.Printable(m.Pod.Name), UID: procinspect.Printable(m.Pod.UID)}
	}
	d.Files, d.Notes = printables(m.Files), printables(m.Notes)
}

// DocProcess is one process of a namespace.
type DocProcess struct {
	PID   int      `json:"pid"`
	NSPID *int     `json:"ns_pid"`
	PPID  *int     `json:"ppid"`
	Name  string   `json:"name"`
	State *string  `json:"state"`
	Masks DocMasks `json:"masks"`
}

// DocInit is a namespace's init with its decoded state and predictions.
type DocInit struct {
	PID         int             `json:"pid"`
	NSPID       *int            `json:"ns_pid"`
	PPID        *int            `json:"ppid"`
	Name        string          `json:"name"`
	Cmdline     []string        `json:"cmdline"`
	State       *string         `json:"state"`
	Threads     *int            `json:"threads"`
	UID         *int            `json:"uid"`
	Masks       DocMasks        `json:"masks"`
	Signals     DocSignals      `json:"signals"`
	Consumers   []DocConsumer   `json:"consumers"`
	Predictions []DocPrediction `json:"predictions"`
	// Program is what sigview recognised the init as ("tini", "shell", …), or null.
	Program *string `json:"program"`
	// Stop predicts docker stop and a Kubernetes deletion; null for the host's init.
	Stop DocStops `json:"stop"`
	// Hint says how to make SIGTERM from the host end it; null when it does.
	Hint *string `json:"hint"`
	// NeedsSIGKILL is whether the stop that applies (Kubernetes' for a
	// pod's container, else the engine's or docker stop's) needs SIGKILL:
	// its verdict is no; false when it is yes; null when depends, unknown,
	// or no stop applies.
	NeedsSIGKILL *bool `json:"needs_sigkill"`
}

// DocStops holds the stops of the container's engine by key ("docker",
// "podman", "containerd", "kubernetes"); without engine metadata, docker
// stop's and Kubernetes' defaults.
type DocStops map[string]DocStop

// DocStop is one engine's stop.
type DocStop struct {
	By           string `json:"by"`
	Signal       string `json:"signal"`
	SignalNumber *int   `json:"signal_number"`
	SignalFrom   string `json:"signal_from"`
	GraceSeconds int    `json:"grace_seconds"`
	GraceFrom    string `json:"grace_from"`
	Verdict      string `json:"verdict"`
	// AfterSeconds is how long the stop takes: 0 at once, the grace when
	// SIGKILL is needed, null when the program decides.
	AfterSeconds *int   `json:"after_seconds"`
	ExitCode     *int   `json:"exit_code"`
	Summary      string `json:"summary"`
	// SignalAssumed and GraceAssumed: the value is an engine's default
	// sigview assumed, not read from the container's own configuration.
	SignalAssumed bool `json:"signal_assumed"`
	GraceAssumed  bool `json:"grace_assumed"`
}

// DocMasks holds the five masks as the kernel prints them; null when absent.
type DocMasks struct {
	SigPnd *string `json:"SigPnd"`
	ShdPnd *string `json:"ShdPnd"`
	SigBlk *string `json:"SigBlk"`
	SigIgn *string `json:"SigIgn"`
	SigCgt *string `json:"SigCgt"`
}

// DocSignals holds the masks decoded to names; null when unknown. Blocked
// is the main thread's SigBlk; pending is SigPnd ∪ ShdPnd.
type DocSignals struct {
	Caught  []string `json:"caught"`
	Ignored []string `json:"ignored"`
	Blocked []string `json:"blocked"`
	Pending []string `json:"pending"`
	// The same sets as signal numbers (schema_version 2).
	CaughtNumbers  []int `json:"caught_numbers"`
	IgnoredNumbers []int `json:"ignored_numbers"`
	BlockedNumbers []int `json:"blocked_numbers"`
	PendingNumbers []int `json:"pending_numbers"`
}

// DocConsumer is a synchronous reader of signals.
type DocConsumer struct {
	Kind    string   `json:"kind"`
	TID     int      `json:"tid"`
	FD      *int     `json:"fd,omitempty"`
	Signals []string `json:"signals"`
	// SignalNumbers is Signals as numbers (schema_version 2).
	SignalNumbers []int `json:"signal_numbers"`
}

// DocPrediction is one prediction.
type DocPrediction struct {
	Signal       string `json:"signal"`
	SignalNumber int    `json:"signal_number"`
	From         string `json:"from"`
	Verdict      string `json:"verdict"`
	Outcome      string `json:"outcome"`
	Reason       string `json:"reason"`
	// ExitCode is the status a runtime would report if it ends this way.
	ExitCode *int `json:"exit_code"`
}

// Report builds the JSON document of a snapshot.
func Report(s *procinspect.Snapshot, as *predict.Assessments) Document {
	d := reportHead(s)
	for _, ns := range s.Namespaces {
		d.Namespaces = append(d.Namespaces, docNS(as, ns))
	}
	return d
}

// reportHead is the document of a snapshot without its namespaces.
func reportHead(s *procinspect.Snapshot) Document {
	d := Document{SchemaVersion: SchemaVersion, ProcRoot: s.Root, Vanished: s.Vanished,
		Warnings: append([]string{}, s.Warnings...), Namespaces: []DocNS{}, Kernel: DocKernelOf(s.Kernel)}
	if s.Viewer.NS.HasInode() {
		ino := s.Viewer.NS.Ino
		d.Viewer.PIDNS = &ino
	}
	if s.Viewer.Initial.Known {
		v := s.Viewer.Initial.V
		d.Viewer.InitialNS = &v
	}
	return d
}

func docNS(as *predict.Assessments, ns *procinspect.Namespace) DocNS {
	out := DocNS{ID: ns.ID.String(), ProcessCount: len(ns.Procs), Processes: make([]DocProcess, 0, len(ns.Procs))}
	if ns.ID.HasInode() {
		out.Inode = ptr(ns.ID.Ino)
	}
	if ns.Level >= 0 {
		out.Level = ptr(ns.Level)
	}
	if ns.Parent != nil {
		out.ParentID = ptr(ns.Parent.ID.String())
		if ns.Parent.ID.HasInode() {
			out.Parent = ptr(ns.Parent.ID.Ino)
		}
	}
	if ns.Init != nil {
		out.Init = DocInitOf(as.Of(ns.Init))
	}
	out.Container = docContainer(ns.Container())
	if ns.Init != nil {
		docEngine(out.Container, ns.Init.Engine)
	}
	for _, p := range ns.Procs {
		out.Processes = append(out.Processes, DocProcess{PID: p.PID, NSPID: nsPID(p), PPID: intPtr(p.Status.PPid),
			Name: procinspect.Printable(p.Status.Name), State: statePtr(p.Status.State), Masks: docMasks(*p.Status)})
	}
	return out
}

// DocInitOf builds the init entry from its assessment, predictions included.
func DocInitOf(a *predict.Assessment) *DocInit {
	p := a.Process
	st := *p.Status
	in := &DocInit{PID: p.PID, NSPID: nsPID(p), PPID: intPtr(st.PPid), Name: procinspect.Printable(st.Name),
		Cmdline: make([]string, len(p.Cmdline)), State: statePtr(st.State), Threads: intPtr(st.Threads),
		Masks: docMasks(st), Consumers: []DocConsumer{}}
	for i, a := range p.Cmdline {
		in.Cmdline[i] = procinspect.Printable(a)
	}
	if st.Uid.Known {
		in.UID = ptr(st.Uid.V[0])
	}
	in.Signals = DocSignals{Caught: names(st.SigCgt), Ignored: names(st.SigIgn), Blocked: names(st.SigBlk),
		CaughtNumbers: numbers(st.SigCgt), IgnoredNumbers: numbers(st.SigIgn), BlockedNumbers: numbers(st.SigBlk)}
	if st.SigPnd.Known && st.ShdPnd.Known {
		pending := procinspect.KnownMask(st.SigPnd.Set | st.ShdPnd.Set)
		in.Signals.Pending, in.Signals.PendingNumbers = names(pending), numbers(pending)
	}
	for _, c := range p.Consumers() {
		dc := DocConsumer{Kind: c.Kind, TID: c.TID, Signals: names(c.Set), SignalNumbers: numbers(c.Set)}
		if c.FD >= 0 {
			dc.FD = ptr(c.FD)
		}
		in.Consumers = append(in.Consumers, dc)
	}
	for _, pr := range a.Core() {
		in.Predictions = append(in.Predictions, DocPredictionOf(pr))
	}
	if a.Program != procinspect.ProgUnknown {
		in.Program = ptr(string(a.Program))
	}
	if n := a.NeedsSIGKILL(); n.Known {
		in.NeedsSIGKILL = ptr(n.V)
	}
	if len(a.Stops) > 0 {
		in.Stop = DocStops{}
		for _, st := range a.Stops {
			in.Stop[st.Key] = docStop(st)
		}
	}
	if a.Hint != "" {
		in.Hint = ptr(a.Hint)
	}
	return in
}

// DocStopOf converts a stop to the document's form.
func DocStopOf(st predict.Stop) DocStop { return docStop(st) }

func printables(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = procinspect.Printable(s)
	}
	return out
}

func docStop(st predict.Stop) DocStop {
	d := DocStop{By: st.By, Signal: st.SignalName(), SignalNumber: sigNumber(st.Signal), SignalFrom: procinspect.Printable(st.SignalFrom), GraceSeconds: int(st.Grace.Seconds()),
		GraceFrom: procinspect.Printable(st.GraceFrom), Verdict: string(st.Verdict), ExitCode: intPtr(st.Exit), Summary: procinspect.Printable(st.Summary),
		SignalAssumed: st.SignalAssumed, GraceAssumed: st.GraceAssumed}
	if after, ok := st.AfterSeconds(); ok {
		d.AfterSeconds = &after
	}
	return d
}

// DocPredictionOf converts a prediction.
func DocPredictionOf(pr predict.Prediction) DocPrediction {
	return DocPrediction{Signal: pr.Signal.String(), SignalNumber: int(pr.Signal), From: string(pr.From), Verdict: string(pr.Verdict),
		Outcome: string(pr.Outcome), Reason: pr.Reason, ExitCode: intPtr(pr.Exit)}
}

func docMasks(st procinspect.Status) DocMasks {
	return DocMasks{SigPnd: hexPtr(st.SigPnd), ShdPnd: hexPtr(st.ShdPnd), SigBlk: hexPtr(st.SigBlk),
		SigIgn: hexPtr(st.SigIgn), SigCgt: hexPtr(st.SigCgt)}
}

func names(m procinspect.Mask) []string {
	if !m.Known {
		return nil
	}
	return m.Set.Names()
}

func hexPtr(m procinspect.Mask) *string {
	if !m.Known {
		return nil
	}
	return ptr(m.Set.Hex())
}

func nsPID(p *procinspect.Process) *int {
	if n := p.Status.NSPID(); n > 0 {
		return &n
	}
	return nil
}

func intPtr(i procinspect.Int) *int {
	if !i.Known {
		return nil
	}
	return ptr(i.V)
}

// statePtr is a state letter as render.State shows it (escaped by
// procinspect.Printable: the byte comes from a status file a process, or a
// --proc tree, controls); nil when it was not read.
func statePtr(s byte) *string {
	if s == 0 {
		return nil
	}
	return ptr(procinspect.Printable(string([]byte{s})))
}

func ptr[T any](v T) *T { return &v }

// numbers lists a mask's members as signal numbers; nil when unknown.
func numbers(m procinspect.Mask) []int {
	if !m.Known {
		return nil
	}
	sigs := m.Set.Signals()
	out := make([]int, len(sigs))
	for i, s := range sigs {
		out[i] = int(s)
	}
	return out
}

// sigNumber is a known signal's number; nil for 0 (unknown).
func sigNumber(s procinspect.Signal) *int {
	if s == 0 {
		return nil
	}
	return ptr(int(s))
}
