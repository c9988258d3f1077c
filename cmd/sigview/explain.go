package main

import (
	"fmt"
	"io"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/render"
)

var explainCommand = &command{
	name:     "explain",
	synopsis: "explain [flags] PID",
	summary:  "everything about one process, with its predictions",
	about: "explain shows one process: identity, every signal's disposition, per-thread masks,\n" +
		"signalfd and sigtimedwait readers, and predictions for SIGTERM, SIGKILL, SIGINT, SIGHUP\n" +
		"and SIGQUIT from inside its PID namespace and from the host. PID is as --proc names it.",
	flags: []cmdFlag{
		{"json", "print the process as JSON: the document's init fields plus its\nnamespace, threads and readers (docs/json.md)"},
		procFlag, noMemFlag, noProbeFlag,
	},
	run: runExplain,
}

func runExplain(c *command, o options, args []string, stdout, _ io.Writer) error {
	pid, err := onePID(c, args)
	if err != nil {
		return err
	}
	if err := checkProcfs(o.proc); err != nil {
		return err
	}
	snap, err := scanner(o, []int{pid}).Scan()
	if err != nil {
		return err
	}
	p := snap.Process(pid)
	if p == nil {
		return fmt.Errorf("explain %d: %w", pid, snap.Missing(pid))
	}
	if o.json {
		return writeJSON(stdout, explainDocOf(snap, p))
	}
	return render.WriteExplain(stdout, snap, p)
}

// explainDoc is the JSON of `sigview explain --json` (docs/json.md): the
// fields of the document's init entry, for any process, plus where it
// lives and its threads.
type explainDoc struct {
	SchemaVersion int    `json:"schema_version"`
	ProcRoot      string `json:"proc_root"`
	*procinspect.DocInit
	IsInit     *bool                  `json:"is_init"`
	Namespace  *explainNS             `json:"namespace"`
	Tasks      []taskDoc              `json:"tasks"`
	TasksError *string                `json:"tasks_error"`
	Kernel     *procinspect.DocKernel `json:"kernel"`
}

// explainNS is the process's namespace, as the document names it.
type explainNS struct {
	Inode     *uint64                   `json:"inode"`
	ID        string                    `json:"id"`
	Level     *int                      `json:"level"`
	Container *procinspect.DocContainer `json:"container"`
}

// taskDoc is one thread's signal state.
type taskDoc struct {
	TID     int                  `json:"tid"`
	State   *string              `json:"state"`
	Masks   procinspect.DocMasks `json:"masks"`
	Syscall *int                 `json:"syscall"`
	Wchan   *string              `json:"wchan"`
	Sigwait *bool                `json:"sigwait"`
	WaitSet []string             `json:"wait_set"`
	// WaitSetError says why wait_set is null for a thread in sigtimedwait.
	WaitSetError string `json:"wait_set_error,omitempty"`
}

func explainDocOf(snap *procinspect.Snapshot, p *procinspect.Process) explainDoc {
	a := snap.Assessment(p)
	d := explainDoc{SchemaVersion: procinspect.SchemaVersion, ProcRoot: snap.Root, DocInit: procinspect.DocInitOf(a),
		Kernel: procinspect.DocKernelOf(snap.Kernel), Tasks: []taskDoc{}}
	d.Predictions = d.Predictions[:0]
	for _, pr := range a.Predictions {
		d.Predictions = append(d.Predictions, procinspect.DocPredictionOf(pr))
	}
	if isInit, ok := p.Status.IsInit(); ok {
		d.IsInit = &isInit
	}
	// The namespace as the snapshot document describes it.
	if ns := snap.NamespaceOf(p); ns != nil {
		for _, dn := range procinspect.Report(snap).Namespaces {
			if dn.ID == ns.ID.String() {
				d.Namespace = &explainNS{Inode: dn.Inode, ID: dn.ID, Level: dn.Level, Container: dn.Container}
			}
		}
	}
	if p.Deep == nil {
		why := "not read"
		if p.Kthread.Known && p.Kthread.V {
			why = "a kernel thread: it has no user-space threads, handlers or masks of its own to read"
		}
		d.Tasks, d.TasksError = nil, ptr(why)
		return d
	}
	if p.Deep.ThreadsErr != "" {
		d.TasksError = ptr(p.Deep.ThreadsErr)
	}
	for _, t := range p.Deep.Threads {
		d.Tasks = append(d.Tasks, taskDocOf(t))
	}
	return d
}

func taskDocOf(t procinspect.Thread) taskDoc {
	st := t.Status
	td := taskDoc{TID: t.TID, Masks: procinspect.DocMasks{SigPnd: hex(st.SigPnd), ShdPnd: hex(st.ShdPnd),
		SigBlk: hex(st.SigBlk), SigIgn: hex(st.SigIgn), SigCgt: hex(st.SigCgt)}}
	if st.State != 0 {
		td.State = ptr(string(rune(st.State)))
	}
	if t.Syscall != -2 {
		td.Syscall = ptr(t.Syscall)
	}
	if t.Wchan != "" {
		td.Wchan = ptr(procinspect.Printable(t.Wchan))
	}
	if t.Sigwait.Known {
		td.Sigwait = ptr(t.Sigwait.V)
	}
	if t.WaitSet.Known {
		td.WaitSet = t.WaitSet.Set.Names()
	} else if t.Sigwait.V {
		td.WaitSetError = t.WaitSetErr
	}
	return td
}

func hex(m procinspect.Mask) *string {
	if !m.Known {
		return nil
	}
	return ptr(m.Set.Hex())
}

func ptr[T any](v T) *T { return &v }
