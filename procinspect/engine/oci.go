package engine

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Storage roots of containers/storage (podman, CRI-O): the graph root and
// the run root; a container's userdata lives under one of them.
var (
	podmanRoots = []string{"/var/lib/containers/storage", "/run/containers/storage"}
	crioRoots   = []string{"/run/containers/storage", "/var/lib/containers/storage"}
)

// storageRoots lists the containers/storage roots to search, most specific
// first: the caller's, the ones a running conmon names for this container
// (its bundle -b and podman's --root/--runroot exit-command arguments),
// storage.conf's graphroot and runroot, the defaults, rootless roots.
func storageRoots(m *Metadata, opts Options, defaults []string) []place {
	var roots []place
	add := func(p place) { addPlace(&roots, p) }
	for _, r := range opts.ContainersStorage {
		add(opts.host(r))
	}
	for _, d := range daemons(opts, "conmon") {
		args := d.Argv
		mine := false
		for i := 1; i+1 < len(args); i++ {
			if (args[i] == "-c" || args[i] == "--cid") && args[i+1] == m.ID {
				mine = true
			}
		}
		if !mine {
			continue
		}
		for i := 1; i+1 < len(args); i++ {
			switch args[i] {
			case "-b", "--bundle":
				// <graph root>/<driver>-containers/<id>/userdata
				add(opts.in(d, filepath.Dir(filepath.Dir(filepath.Dir(args[i+1])))))
			case "--exit-command-arg":
				if (args[i+1] == "--root" || args[i+1] == "--runroot") && i+3 < len(args) && args[i+2] == "--exit-command-arg" {
					add(opts.in(d, args[i+3]))
				}
			}
		}
	}
	if b, err := opts.host("/etc/containers/storage.conf").read(); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, "=")
			k = strings.TrimSpace(k)
			if ok && (k == "graphroot" || k == "runroot") {
				if v = strings.Trim(strings.TrimSpace(v), `"'`); v != "" {
					add(opts.host(v))
				}
			}
		}
	}
	for _, d := range defaults {
		add(opts.host(d))
	}
	for _, h := range userStores(opts, "/home/*/.local/share/containers/storage", "/run/user/*/containers") {
		add(h)
	}
	return roots
}

// containerFile finds <root>/<driver>-containers/<id>/userdata/<file> under
// the roots ("overlay-containers" normally, "vfs-containers" with vfs).
func containerFile(roots []place, id, file string) (place, bool) {
	for _, r := range roots {
		if matches := r.inSubdirs("-containers", id, "userdata", file); len(matches) > 0 {
			return matches[0], true
		}
	}
	return place{}, false
}

// storageContainer is one entry of overlay-containers/containers.json.
type storageContainer struct {
	ID       string   `json:"id"`
	Names    []string `json:"names"`
	Metadata string   `json:"metadata"`
}

// lookupStorage reads a podman or CRI-O container: its OCI runtime spec
// (userdata/config.json) and its entry in containers.json.
func lookupStorage(m *Metadata, opts Options, defaults []string) {
	roots := storageRoots(m, opts, defaults)
	if p, ok := containerFile(roots, m.ID, "config.json"); !ok {
		m.note("stop signal, init unknown: no */" + m.ID + "/userdata/config.json under " + showPlaces(roots))
	} else if b, ok := m.readFile(p, "stop signal, init"); ok {
		var s specs.Spec
		if err := json.Unmarshal(b, &s); err != nil {
			m.note("stop signal, init unknown: " + p.String() + ": " + err.Error())
		} else {
			ociAnnotations(m, s.Annotations, p.String())
		}
	}
	if m.Runtime == "podman" {
		if !m.StopTimeout.Known {
			podmanDB(m, roots)
		}
		if p, ok := containerFile(roots, m.ID, "pidfile"); ok {
			if b, err := p.read(); err == nil {
				if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
					m.Pid = n
					m.Files = append(m.Files, p.String())
				}
			}
		}
	}
	if m.Name == "" || m.Image == "" {
		storageNames(m, roots)
	}
}

func ociAnnotations(m *Metadata, a map[string]string, from string) {
	if v, ok := a["org.opencontainers.image.stopSignal"]; ok {
		s, ok := signalName(v)
		m.StopSignal = s
		m.StopSignalFrom = "annotation org.opencontainers.image.stopSignal in " + from + rtNote(v, s)
		if !ok {
			m.note("stop signal " + quote(v) + " is no signal")
		}
	} else {
		m.StopSignal = "SIGTERM"
		m.StopSignalFrom = "no org.opencontainers.image.stopSignal annotation in " + from + ": SIGTERM"
	}
	if v, ok := a["org.systemd.property.TimeoutStopUSec"]; ok {
		// systemd's "uint64 N" or a plain number of microseconds.
		f := strings.Fields(v)
		var n int64
		var err error = strconv.ErrSyntax
		if len(f) > 0 {
			n, err = strconv.ParseInt(f[len(f)-1], 10, 64)
		}
		if err == nil {
			m.StopTimeout = Seconds{Value: int64(time.Duration(n) * time.Microsecond / time.Second), Known: true,
				From: "annotation org.systemd.property.TimeoutStopUSec in " + from}
		} else {
			m.note("stop timeout: TimeoutStopUSec " + quote(v) + " unreadable")
		}
	}
	if v, ok := a["io.podman.annotations.init"]; ok {
		m.Init = Bool{strings.EqualFold(v, "TRUE"), true, "annotation io.podman.annotations.init in " + from}
	} else if m.Runtime == "podman" {
		m.note("init unknown: no io.podman.annotations.init in " + from)
	}
	// CRI-O's own annotations.
	if v := a["io.kubernetes.cri-o.Name"]; v != "" {
		m.Name = v
	}
	if v := a["io.kubernetes.cri-o.ImageName"]; v != "" {
		m.Image = v
	}
	m.Pod.Name = a["io.kubernetes.pod.name"]
	m.Pod.Namespace = a["io.kubernetes.pod.namespace"]
	m.Pod.UID = a["io.kubernetes.pod.uid"]
	m.ContainerName = a["io.kubernetes.container.name"]
	if v, ok := a["io.kubernetes.pod.terminationGracePeriod"]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			m.StopTimeout = Seconds{Value: n, Known: true, From: "annotation io.kubernetes.pod.terminationGracePeriod in " + from}
		} else {
			m.note("stop timeout: terminationGracePeriod " + quote(v) + " is not a number")
		}
	}
}

// storageNames reads the container's name and image name from
// containers.json.
func storageNames(m *Metadata, roots []place) {
	for _, r := range roots {
		for _, p := range r.inSubdirs("-containers", "containers.json") {
			if storageName(m, p) {
				return
			}
		}
	}
	if m.Name == "" {
		m.note("name, image unknown: container not in any containers.json")
	}
}

// storageName reads one containers.json and reports whether it has the
// container.
func storageName(m *Metadata, pl place) bool {
	p := pl.String()
	b, err := pl.read()
	if err != nil {
		return false
	}
	var list []storageContainer
	if err := json.Unmarshal(b, &list); err != nil {
		m.note(p + ": " + err.Error())
		return false
	}
	for _, c := range list {
		if c.ID != m.ID {
			continue
		}
		m.Files = append(m.Files, p)
		if m.Name == "" && len(c.Names) > 0 {
			m.Name = c.Names[0]
		}
		var md struct {
			ImageName string `json:"image-name"`
		}
		if json.Unmarshal([]byte(c.Metadata), &md) == nil && m.Image == "" {
			m.Image = md.ImageName
		}
		return true
	}
	return false
}
