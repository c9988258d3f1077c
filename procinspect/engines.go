package procinspect

import (
	"fmt"
	"path/filepath"

	"github.com/sigview/sigview/procinspect/engine"
)

// engineRuntimes are the container runtimes whose files say how their
// containers are stopped (procinspect/engine).
var engineRuntimes = map[string]bool{"docker": true, "podman": true, "cri-o": true, "containerd": true, "kubernetes": true}

// EngineOptions says where the engines' files of this snapshot's host are
// (next to the procfs: / for /proc, /host for /host/proc), and gives the
// command lines of the running daemons that may describe the host's
// containers: those in the procfs' own PID namespace, run by root.
func (s *Snapshot) EngineOptions() engine.Options {
	return s.engineOptions(nil, nil)
}

// engineOptions is EngineOptions for the container whose init is target:
// a daemon's command line is given only when that daemon could have made
// the container (daemonDistrust); warn, when not nil, records each daemon
// refused.
func (s *Snapshot) engineOptions(target *Process, warn *warnings) engine.Options {
	opts := engine.Options{Root: filepath.Dir(s.Root), OwnerUID: -1}
	if target != nil && target.Status.Uid.Known {
		opts.OwnerUID = target.Status.Uid.V[0]
	}
	s.daemonsOnce.Do(s.findDaemons)
	opts.Daemons = func(name string) [][]string {
		var out [][]string
		for _, d := range s.daemons[name] {
			if why := s.daemonDistrust(d.p, target); why != "" {
				if warn != nil {
					warn.add("untrusted engine daemon", fmt.Sprintf("%s (PID %d) is not trusted for the container of PID namespace %s: %s",
						Printable(name), d.p.PID, s.nsName(target), why))
				}
				continue
			}
			if len(d.argv) > 0 {
				out = append(out, d.argv)
			}
		}
		return out
	}
	return opts
}

// daemon is a running engine daemon and its command line, read once.
type daemon struct {
	p    *Process
	argv []string
}

// findDaemons reads the command lines of the processes named as engine
// daemons: the one place sigview walks /proc for them.
func (s *Snapshot) findDaemons() {
	s.daemons = map[string][]daemon{}
	fs := FS{Root: s.Root}
	for _, p := range s.Processes {
		switch n := p.Name(); n {
		case "dockerd", "containerd", "conmon":
			s.daemons[n] = append(s.daemons[n], daemon{p: p, argv: readCmdline(fs.Proc(p.PID))})
		}
	}
}

// daemonDistrust says why the daemon process d cannot have made the
// container whose init is target (nil: the host's containers in general),
// or "" when it can. A name is no credential: any process, one in a
// container included, can call itself dockerd and point its flags at
// forged files. A daemon in the procfs' own PID namespace describes the
// host's containers; one inside a PID namespace (Docker in Docker) only
// containers nested below it; a rootless daemon (uid other than 0) only
// containers its own uid runs.
func (s *Snapshot) daemonDistrust(d, target *Process) string {
	dns := s.NamespaceOf(d)
	if dns == nil || dns.ID.IsZero() || dns.Level < 0 {
		return "its PID namespace is unknown"
	}
	if dns.Level > 0 {
		below := false
		if target != nil {
			for ns := s.NamespaceOf(target); ns != nil && !below; ns = ns.Parent {
				below = ns.Parent == dns
			}
		}
		if !below {
			return fmt.Sprintf("it runs inside PID namespace %s, and the container is not nested below it", dns.ID)
		}
	}
	if !d.Status.Uid.Known {
		return "its uid is unknown"
	}
	if uid := d.Status.Uid.V[0]; uid != 0 {
		if target == nil || !target.Status.Uid.Known || target.Status.Uid.V[0] != uid {
			return fmt.Sprintf("it runs as uid %d (rootless), and the container's init is not run by uid %d", uid, uid)
		}
	}
	return ""
}

// nsName names the PID namespace of p for a warning.
func (s *Snapshot) nsName(p *Process) string {
	if p == nil {
		return "unknown"
	}
	if ns := s.NamespaceOf(p); ns != nil {
		return ns.ID.String()
	}
	return "unknown"
}

// lookupEngines reads, for every namespace init in a container, its
// engine's stop configuration from the engine's files.
func (s *Snapshot) lookupEngines(warn *warnings) {
	for _, ns := range s.Namespaces {
		p := ns.Init
		if p == nil || p.Container == nil || !engineRuntimes[p.Container.Runtime] {
			continue
		}
		o := s.engineOptions(p, warn)
		o.PodUID = p.Container.PodUID
		m := engine.Lookup(p.Container.Runtime, p.Container.ID, o)
		p.Engine = &m
	}
}
