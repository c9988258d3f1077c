// Package engine reads a container's stop configuration (name, image, stop
// signal, stop timeout, init) from the container engine's files on disk. It
// never talks to an API or a socket, so it works read-only and with the
// daemon down. Every field it cannot read stays unknown, with the reason in
// Notes; a missing or unreadable file is never an error.
//
// It also names the container a process belongs to from its cgroup path
// alone (Container, ParseCgroup; docs/containers.md), which is how the
// engine and the container's ID are found in the first place.
package engine

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Options says where the host's files are.
type Options struct {
	// Root is the host filesystem prefix: "" or "/" normally, "/host" for a
	// container that mounts the host's state directories under /host.
	Root string
	// PodUID is the Kubernetes pod UID from the cgroup path, if any; it
	// names the pod when the engine's files do not.
	PodUID string
	// ContainersStorage are extra containers/storage roots (graph or run
	// roots) for podman and CRI-O, searched first.
	ContainersStorage []string
	// OwnerUID is the real uid of the container's init, or -1 when unknown:
	// a rootless store under a user's home or runtime directory, which that
	// user can write, describes only containers that user runs.
	OwnerUID int
	// Daemons returns the running processes whose program is name
	// ("dockerd", "containerd", "conmon") and that could have made the
	// container asked about: a scan knows every process (procinspect's
	// Snapshot.EngineOptions). Without it no daemon's flags are read, only
	// the files at their default places.
	Daemons func(name string) []Daemon
}

// Daemon is a running engine daemon: its command line, and the root its
// paths are resolved in (the host's for a daemon on the host; the
// daemon's own, /proc/PID/root, for one inside a container).
type Daemon struct {
	Argv []string
	// Root is the directory its paths are resolved in ("" or "/": the
	// host's, Options.Root); Show names it to a person.
	Root, Show string
}

// host is the place of an absolute path on the host.
func (o Options) host(p string) place {
	if o.Root == "" || o.Root == "/" {
		return place{Root: "/", Path: p}
	}
	return place{Root: o.Root, Show: o.Root, Path: p}
}

// in is the place of a path a daemon's command line names: inside that
// daemon's root, or the host's.
func (o Options) in(d Daemon, p string) place {
	if d.Root == "" || d.Root == "/" {
		return o.host(p)
	}
	return place{Root: d.Root, Show: d.Show, Path: p}
}

// StateDirs are the engines' default state directories, relative to the
// host's root: whether any exists tells a reader that sees none of them
// (sigview inside a container, a --proc without the host's directories).
var StateDirs = []string{"/var/lib/docker", "/var/lib/containers/storage", "/run/containers/storage",
	"/run/containerd", "/var/log/pods"}

// Seconds is a duration in whole seconds that may be unknown.
type Seconds struct {
	Value int64
	Known bool
	From  string // where the value came from, or why it is the default
	// Absent: the container's own configuration was read and holds no
	// value, so the engine's default applies by that configuration (read,
	// not assumed). Known is false.
	Absent bool
}

// Bool is a boolean that may be unknown.
type Bool struct {
	Value bool
	Known bool
	From  string
}

// Pod is the Kubernetes pod a container belongs to.
type Pod struct {
	Namespace, Name, UID string
}

// Metadata is what the engine's files say about one container. Strings are
// kept exactly as read; the renderer escapes them.
type Metadata struct {
	Runtime string
	ID      string
	Name    string
	Image   string
	// StopSignal is the signal name ("SIGINT"); "" means the engine's
	// default (SIGTERM) or unknown, see StopSignalFrom and Notes.
	StopSignal     string
	StopSignalFrom string
	// StopTimeout unknown means the engine's default: docker 10 s,
	// podman 10 s, Kubernetes 30 s.
	StopTimeout Seconds
	Init        Bool
	Pod         Pod
	// ContainerName is the Kubernetes container name.
	ContainerName string
	// Namespace is the containerd namespace ("moby", "k8s.io").
	Namespace string
	// Pid is the container's init as the engine recorded it (0: unknown).
	Pid   int
	Files []string // files read
	Notes []string // why a field is unknown
}

func (m *Metadata) note(s string) { m.Notes = append(m.Notes, s) }

// Lookup reads the metadata of container id run by runtime ("docker",
// "podman", "containerd", "cri-o", "kubernetes", as sigview's cgroup parser
// names them).
func Lookup(runtime, id string, opts Options) Metadata {
	m := Metadata{Runtime: runtime, ID: id}
	if why := badID(runtime, id); why != "" {
		m.note("container id " + quote(id) + " " + why + "; nothing read")
		return m
	}
	switch runtime {
	case "docker":
		lookupDocker(&m, opts)
	case "podman":
		lookupStorage(&m, opts, podmanRoots)
	case "cri-o":
		lookupStorage(&m, opts, crioRoots)
	case "containerd":
		lookupContainerd(&m, opts)
	case "kubernetes":
		// The cgroup names only a pod UID here; see LookupPod.
		m.note("stop signal, stop timeout, name, image unknown: the cgroup names no engine for container " + quote(id))
	default:
		m.note("unknown runtime " + quote(runtime))
	}
	if m.Pod.Name == "" && opts.PodUID != "" && badID("", opts.PodUID) == "" {
		pod, why := LookupPod(opts.PodUID, opts)
		m.Pod = pod
		if why != "" {
			m.note(why)
		}
	}
	if runtime == "kubernetes" {
		m.StopTimeout.From = "Kubernetes default terminationGracePeriodSeconds (30 s) unless the pod says otherwise; the pod spec is not on this node's disk"
	}
	return m
}

// badID says why id cannot name a container of runtime, or "". Every file
// is then read by its exact name: an ID is joined to a directory, never
// matched as a pattern. Docker, podman and CRI-O make 64-digit lowercase
// hex IDs; containerd's are free-form (nerdctl, Kubernetes), so only what
// could leave a directory or act as a pattern is refused.
func badID(runtime, id string) string {
	switch {
	case runtime == "docker" || runtime == "podman" || runtime == "cri-o":
		if !isHexID(id) {
			return "is not the 64 lowercase hex digits " + runtime + " gives a container"
		}
	case id == "" || id == "." || id == "..":
		return "is not a name"
	case strings.ContainsAny(id, "/\x00"):
		return "holds a path separator"
	case strings.ContainsAny(id, "*?[\\"):
		return "holds a pattern character"
	}
	return ""
}

func quote(s string) string { return "\"" + s + "\"" }

// readFile reads a file and records it in m.Files; on failure it adds a note
// naming the field(s) it leaves unknown.
func (m *Metadata) readFile(p place, what string) ([]byte, bool) {
	b, err := p.read()
	if err != nil {
		m.note(what + " unknown: " + err.Error())
		return nil, false
	}
	m.Files = append(m.Files, p.String())
	return b, true
}

// userStores lists the rootless stores (directories under /home/* and
// /run/user/*, which their user can write) that match the host path
// patterns and belong to the container's own user: their owner is
// opts.OwnerUID. Others could describe any container sigview asks about.
// The patterns are sigview's own; no ID is ever globbed.
func userStores(opts Options, patterns ...string) []place {
	var out []place
	if opts.OwnerUID < 0 {
		return nil
	}
	prefix := strings.TrimSuffix(opts.host("/").String(), "/")
	for _, pat := range patterns {
		dirs, _ := filepath.Glob(prefix + pat)
		for _, d := range dirs {
			p := opts.host(strings.TrimPrefix(d, prefix))
			f, err := p.open(unix.O_PATH | unix.O_DIRECTORY)
			if err != nil {
				continue
			}
			var st unix.Stat_t
			err = unix.Fstat(int(f.Fd()), &st)
			f.Close()
			if err == nil && int(st.Uid) == opts.OwnerUID {
				out = append(out, p)
			}
		}
	}
	return out
}
