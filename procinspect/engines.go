package procinspect

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

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
	return s.engineOptions(nil, nil, nil)
}

// engineOptions is EngineOptions for the container whose init is target:
// a daemon's command line is given only when that daemon could have made
// the container (daemonDistrust); warn, when not nil, records each daemon
// refused.
func (s *Snapshot) engineOptions(target *Process, warn *warnings, warned map[int]bool) engine.Options {
	opts := engine.Options{Root: filepath.Dir(s.Root), OwnerUID: -1}
	owner := s.containerUser(target) // read once: every daemon consulted compares it
	if owner.Known {
		opts.OwnerUID = owner.V
	}
	s.daemonsOnce.Do(s.findDaemons)
	opts.Daemons = func(name string) []engine.Daemon {
		var out []engine.Daemon
		for _, d := range s.daemons[name] {
			if why := s.daemonDistrust(d, target, owner); why != "" {
				if warn != nil && !warned[d.p.PID] {
					warned[d.p.PID] = true
					warn.addEach("untrusted engine daemon", fmt.Sprintf("%s (PID %d) is not trusted for the container of PID namespace %s (nor any other it could not have made): %s",
						Printable(name), d.p.PID, s.nsName(target), why))
				}
				continue
			}
			if len(d.argv) > 0 {
				out = append(out, engine.Daemon{Argv: d.argv, Root: d.root, Show: d.show})
			}
		}
		return out
	}
	return opts
}

// engineDaemons are the programs whose command lines name engine files.
var engineDaemons = map[string]bool{"dockerd": true, "containerd": true, "conmon": true}

// daemon is a running engine daemon, its command line and its mount
// namespace ("mnt:[N]"; "" when unreadable), read once, and, for one
// inside a PID namespace, its root directory.
type daemon struct {
	p    *Process
	argv []string
	mnt  string
	// root is where the daemon's paths are resolved: "" for the host's
	// root; for a daemon nested in a container, /proc/self/fd/N of a
	// descriptor of its /proc/PID/root (rootFile, held for the
	// snapshot's life, closed by its finalizer), named show.
	root, show string
	rootFile   *os.File
	noRoot     string // why a nested daemon's root cannot be reached
}

// findDaemons reads the command lines of the processes named as engine
// daemons: the one place sigview walks /proc for them. What is read after
// the scan belongs to the scanned process only if it is still the same
// one: its start time is read again after the reads, and a process that
// changed (its PID reused) is left out.
func (s *Snapshot) findDaemons() {
	s.daemons = map[string][]daemon{}
	fs := NewFS(s.Root, false)
	for _, p := range s.Processes {
		if n := p.Name(); engineDaemons[n] {
			pr := fs.Proc(p.PID)
			d := daemon{p: p, argv: readCmdline(pr)}
			d.mnt, _ = os.Readlink(pr.path("ns/mnt"))
			if ns := s.NamespaceOf(p); ns != nil && ns.Level > 0 {
				d.openRoot(pr, fs.Live)
			}
			if fs.Live && !sameProcess(pr, p) { // a copy of /proc does not change under us
				d.close()
				continue
			}
			s.daemons[n] = append(s.daemons[n], d)
		}
	}
	// The host's mount namespace: the procfs' PID 1's, or, when that is
	// unreadable on a live procfs, sigview's own (it runs on the host when
	// it sees the host's /proc as its own).
	s.hostMnt, _ = os.Readlink(fs.Proc(1).path("ns/mnt"))
	if s.hostMnt == "" && fs.Live {
		s.hostMnt, _ = os.Readlink("/proc/self/ns/mnt")
	}
	s.liveMnt = fs.Live
}

// openRoot opens the root directory of a daemon inside a PID namespace,
// the one its paths name files in. Only a live procfs has it.
func (d *daemon) openRoot(pr Proc, live bool) {
	if !live {
		d.noRoot = "its root directory cannot be reached through a copy of /proc"
		return
	}
	f, err := os.OpenFile(pr.path("root"), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		d.noRoot = "its root directory cannot be opened: " + Printable(err.Error())
		return
	}
	d.rootFile = f
	d.root = "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	d.show = pr.path("root")
}

func (d *daemon) close() {
	if d.rootFile != nil {
		d.rootFile.Close()
	}
}

// sameProcess reports whether the process at pr is still p: its start
// time is unchanged (a reused PID has another).
func sameProcess(pr Proc, p *Process) bool {
	if p.StartTime == 0 {
		return false
	}
	b, err := pr.read("stat", maxLine)
	if err != nil {
		return false
	}
	st, err := ParseStartTime(b)
	return err == nil && st == p.StartTime
}

// daemonDistrust says why the daemon process d cannot have made the
// container whose init is target (nil: the host's containers in general),
// or "" when it can. A name is no credential: any process, one in a
// container included, can call itself dockerd and point its flags at
// forged files. A daemon in the procfs' own PID namespace describes the
// host's containers; one inside a PID namespace (Docker in Docker) only
// containers nested below it; a rootless daemon (uid other than 0) only
// containers of its own user (owner, the user that owns the container's
// user namespace: containerUser).
func (s *Snapshot) daemonDistrust(dm daemon, target *Process, owner Int) string {
	d := dm.p
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
		if dm.noRoot != "" {
			return dm.noRoot
		}
	}
	if dns.Level == 0 && (s.liveMnt || s.hostMnt != "") && (dm.mnt == "" || dm.mnt != s.hostMnt) {
		// A root process of a --pid=host container shares the host's PID
		// namespace but sees its own files: its paths are not the host's.
		return "it does not share the host's mount namespace (" + Printable(dm.mnt) + ", the host's " + Printable(s.hostMnt) + ")"
	}
	if !d.Status.Uid.Known {
		return "its uid is unknown"
	}
	if uid := d.Status.Uid.V[0]; uid != 0 {
		if !owner.Known || owner.V != uid {
			return fmt.Sprintf("it runs as uid %d (rootless), and the container is not uid %d's", uid, uid)
		}
	}
	return ""
}

// containerUser is the user a container belongs to: the owner of its
// init's user namespace (the user who ran a rootless container, whatever
// its USER; 0 for a rootful one), or, where that cannot be read (a copy of
// /proc), the init's own uid.
func (s *Snapshot) containerUser(init *Process) Int {
	if init == nil {
		return Int{}
	}
	if owner, err := userNSOwner(NewFS(s.Root, false).Proc(init.PID)); err == nil {
		return owner
	}
	if init.Status.Uid.Known {
		return KnownInt(init.Status.Uid.V[0])
	}
	return Int{}
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
// engine's stop configuration from the engine's files, and notes whether
// any engine's files are visible at all (EngineFilesSeen).
func (s *Snapshot) lookupEngines(warn *warnings) {
	defer func() {
		s.EngineRoot = filepath.Dir(s.Root)
		for _, ns := range s.Namespaces {
			if m := ns.Engine(); m != nil && len(m.Files) > 0 {
				s.EngineFilesSeen = true
				return
			}
		}
		for _, d := range engine.StateDirs {
			if _, err := os.Stat(filepath.Join(s.EngineRoot, d)); err == nil {
				s.EngineFilesSeen = true
				return
			}
		}
	}()
	warned := map[int]bool{} // each refused daemon is one warning, however many containers asked
	for _, ns := range s.Namespaces {
		p := ns.Init
		if p == nil || p.Container == nil || !engineRuntimes[p.Container.Runtime] {
			continue
		}
		o := s.engineOptions(p, warn, warned)
		o.PodUID = p.Container.PodUID
		m := engine.Lookup(p.Container.Runtime, p.Container.ID, o)
		p.Engine = &m
	}
}
