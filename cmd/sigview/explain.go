package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

var explainCommand = &command{
	name:     "explain",
	synopsis: "explain [flags] TARGET",
	summary:  "everything about one process, with its predictions",
	about: "explain shows one process: identity, every signal's disposition, per-thread masks,\n" +
		"signalfd and sigtimedwait readers, and predictions for SIGTERM, SIGKILL, SIGINT, SIGHUP\n" +
		"and SIGQUIT from inside its PID namespace and from the host.\n\n" + targetHelp,
	flags: []cmdFlag{
		{"json", "print the process as JSON: the document's init fields plus its\nnamespace, threads and readers (docs/json.md)"},
		procFlag, noMemFlag, noProbeFlag,
	},
	run: runExplain,
}

func runExplain(c *command, o options, args []string, stdout, _ io.Writer) error {
	t, err := oneTarget(c, o, args)
	if err != nil {
		return err
	}
	pid := t.PID
	if err := checkProcfs(o.proc); err != nil {
		return err
	}
	snap, err := scanner(o, []int{pid}).Scan()
	if err != nil {
		return err
	}
	as := predict.Assess(snap, snap.Kernel)
	p := snap.Process(pid)
	if p == nil {
		return fmt.Errorf("explain %d: %w", pid, snap.Missing(pid))
	}
	if t.StartTime != 0 && p.StartTime != t.StartTime {
		return fmt.Errorf("explain %s: its init, PID %d, exited and the PID was reused while sigview read it; try again", t.How, pid)
	}
	if o.json {
		return document.Write(stdout, document.ExplainOf(as, p))
	}
	return render.WriteExplain(stdout, as, p)
}

// targetHelp says what explain's and send's TARGET may be.
const targetHelp = "TARGET is a PID as --proc names it (a number up to the kernel's pid_max); a larger\n" +
	"number is a PID namespace's inode; anything else a container's name (docker, podman,\n" +
	"CRI-O, containerd; a pod's container as NAMESPACE/POD/CONTAINER), then a prefix of at\n" +
	"least 4 hex digits of its ID. A namespace or container means its init. Names come\n" +
	"from the engines' files (lxc, nspawn: the cgroup); a target that matches several\n" +
	"containers, or one's name and another's ID prefix, lists them (exit 2)."

// watch's TARGET may be a container too: it resolves to the container's
// namespace, which watch follows by inode (procinspect's Resolve, as for
// explain and send; several matches list the candidates, exit 2).
func init() {
	resolveContainer = func(snap *procinspect.Snapshot, name string) ([]uint64, error) {
		t, err := snap.Resolve(name, procinspect.PIDMax(snap.Root))
		var amb *procinspect.AmbiguousError
		switch {
		case errors.As(err, &amb):
			return nil, ambiguousTarget{watchCommand, amb}
		case err != nil:
			return nil, err
		case t.NS == nil || !t.NS.ID.HasInode():
			return nil, fmt.Errorf("%s: its PID namespace's inode is unknown, and watch follows a namespace by inode", t.How)
		}
		return []uint64{t.NS.ID.Ino}, nil
	}
}
