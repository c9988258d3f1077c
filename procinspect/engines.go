package procinspect

import (
	"path/filepath"
	"sync"

	"github.com/sigview/sigview/procinspect/engine"
)

// engineRuntimes are the container runtimes whose files say how their
// containers are stopped (procinspect/engine).
var engineRuntimes = map[string]bool{"docker": true, "podman": true, "cri-o": true, "containerd": true, "kubernetes": true}

// EngineOptions says where the engines' files of this snapshot's host are
// (next to the procfs: / for /proc, /host for /host/proc), and gives the
// running daemons' command lines from the processes the scan found: the
// one place sigview walks /proc for them.
func (s *Snapshot) EngineOptions() engine.Options {
	opts := engine.Options{Root: filepath.Dir(s.Root)}
	daemons := map[string][]int{}
	for _, p := range s.Processes {
		switch n := p.Name(); n {
		case "dockerd", "containerd", "conmon":
			daemons[n] = append(daemons[n], p.PID)
		}
	}
	// Each daemon's command line is read once per scan, however many
	// containers ask for it.
	read := map[string][][]string{}
	var mu sync.Mutex // the options may be used by concurrent lookups
	opts.Daemons = func(name string) [][]string {
		mu.Lock()
		defer mu.Unlock()
		if out, ok := read[name]; ok {
			return out
		}
		var out [][]string
		fs := FS{Root: s.Root}
		for _, pid := range daemons[name] {
			if argv := readCmdline(fs.Proc(pid)); len(argv) > 0 {
				out = append(out, argv)
			}
		}
		read[name] = out
		return out
	}
	return opts
}

// lookupEngines reads, for every namespace init in a container, its
// engine's stop configuration from the engine's files.
func (s *Snapshot) lookupEngines() {
	opts := s.EngineOptions()
	for _, ns := range s.Namespaces {
		p := ns.Init
		if p == nil || p.Container == nil || !engineRuntimes[p.Container.Runtime] {
			continue
		}
		o := opts
		o.PodUID = p.Container.PodUID
		m := engine.Lookup(p.Container.Runtime, p.Container.ID, o)
		p.Engine = &m
	}
}
