package document

import (
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// Explain is the JSON of `sigview explain --json` (docs/json.md): the
// fields of the document's init entry, for any process, plus where it
// lives and its threads.
type Explain struct {
	SchemaVersion int    `json:"schema_version"`
	ProcRoot      string `json:"proc_root"`
	*DocInit
	IsInit     *bool      `json:"is_init"`
	Namespace  *ExplainNS `json:"namespace"`
	Tasks      []Task     `json:"tasks"`
	TasksError *string    `json:"tasks_error"`
	Kernel     *DocKernel `json:"kernel"`
}

// ExplainNS is the process's namespace, as the document names it.
type ExplainNS struct {
	Inode     *uint64       `json:"inode"`
	ID        string        `json:"id"`
	Level     *int          `json:"level"`
	Container *DocContainer `json:"container"`
}

// Task is one thread's signal state.
type Task struct {
	TID     int      `json:"tid"`
	State   *string  `json:"state"`
	Masks   DocMasks `json:"masks"`
	Syscall *int     `json:"syscall"`
	Wchan   *string  `json:"wchan"`
	Sigwait *bool    `json:"sigwait"`
	WaitSet []string `json:"wait_set"`
	// WaitSetNumbers is WaitSet as numbers (schema_version 2).
	WaitSetNumbers []int `json:"wait_set_numbers"`
	// WaitSetError says why wait_set is null for a thread in sigtimedwait.
	WaitSetError string `json:"wait_set_error,omitempty"`
}

func ExplainOf(as *predict.Assessments, p *procinspect.Process) Explain {
	snap, a := as.Snapshot, as.Of(p)
	d := Explain{SchemaVersion: SchemaVersion, ProcRoot: snap.Root, DocInit: DocInitOf(a),
		Kernel: DocKernelOf(snap.Kernel), Tasks: []Task{}}
	d.Predictions = d.Predictions[:0]
	for _, pr := range a.Predictions {
		d.Predictions = append(d.Predictions, DocPredictionOf(pr))
	}
	if isInit, ok := p.Status.IsInit(); ok {
		d.IsInit = &isInit
	}
	// The namespace as the snapshot document describes it.
	if ns := snap.NamespaceOf(p); ns != nil {
		for _, dn := range Report(snap, as).Namespaces {
			if dn.ID == ns.ID.String() {
				d.Namespace = &ExplainNS{Inode: dn.Inode, ID: dn.ID, Level: dn.Level, Container: dn.Container}
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
		d.Tasks = append(d.Tasks, taskOf(t))
	}
	return d
}

func taskOf(t procinspect.Thread) Task {
	st := t.Status
	td := Task{TID: t.TID, Masks: docMasks(st)}
	if st.State != 0 {
		td.State = statePtr(st.State)
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
		td.WaitSet, td.WaitSetNumbers = t.WaitSet.Set.Names(), numbers(t.WaitSet)
	} else if t.Sigwait.V {
		td.WaitSetError = t.WaitSetErr
	}
	return td
}
