package engine

import (
	"encoding/json"
	"os"
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

// storageContainer is one entry of overlay-containers/containers.json.
type storageContainer struct {
	ID       string   `json:"id"`
	Names    []string `json:"names"`
	Metadata string   `json:"metadata"`
}

// lookupStorage reads a podman or CRI-O container: its OCI runtime spec
// (userdata/config.json) and its entry in containers.json.
func lookupStorage(m *Metadata, opts Options, roots []string) {
	var spec *specs.Spec
	for _, r := range roots {
		p := opts.path(filepath.Join(r, "overlay-containers", m.ID, "userdata", "config.json"))
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		m.Files = append(m.Files, p)
		var s specs.Spec
		if err := json.Unmarshal(b, &s); err != nil {
			m.note("stop signal, init unknown: " + p + ": " + err.Error())
			break
		}
		spec = &s
		ociAnnotations(m, s.Annotations, p)
		break
	}
	if spec == nil && len(m.Notes) == 0 {
		m.note("stop signal, init unknown: no overlay-containers/" + m.ID + "/userdata/config.json under " + strings.Join(roots, " or "))
	}
	if m.Runtime == "podman" {
		if m.StopTimeout.Known {
			// From an annotation.
		} else {
			m.note("stop timeout unknown: podman keeps it only in libpod/bolt_state.db (ContainerConfig.StopTimeout); podman default 10 s assumed")
		}
		for _, r := range roots {
			p := opts.path(filepath.Join(r, "overlay-containers", m.ID, "userdata", "pidfile"))
			if b, err := os.ReadFile(p); err == nil {
				if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
					m.Pid = n
					m.Files = append(m.Files, p)
				}
				break
			}
		}
	}
	if m.Name == "" || m.Image == "" {
		storageNames(m, opts, roots)
	}
}

func ociAnnotations(m *Metadata, a map[string]string, from string) {
	if v, ok := a["org.opencontainers.image.stopSignal"]; ok {
		s, ok := signalName(v)
		m.StopSignal = s
		m.StopSignalFrom = "annotation org.opencontainers.image.stopSignal in " + from
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
		if n, err := strconv.ParseInt(f[len(f)-1], 10, 64); len(f) > 0 && err == nil {
			m.StopTimeout = Seconds{int64(time.Duration(n) * time.Microsecond / time.Second), true,
				"annotation org.systemd.property.TimeoutStopUSec in " + from}
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
			m.StopTimeout = Seconds{n, true, "annotation io.kubernetes.pod.terminationGracePeriod in " + from}
		} else {
			m.note("stop timeout: terminationGracePeriod " + quote(v) + " is not a number")
		}
	}
}

// storageNames reads the container's name and image name from
// containers.json.
func storageNames(m *Metadata, opts Options, roots []string) {
	for _, r := range roots {
		p := opts.path(filepath.Join(r, "overlay-containers", "containers.json"))
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		m.Files = append(m.Files, p)
		var list []storageContainer
		if err := json.Unmarshal(b, &list); err != nil {
			m.note("name, image unknown: " + p + ": " + err.Error())
			return
		}
		for _, c := range list {
			if c.ID != m.ID {
				continue
			}
			if m.Name == "" && len(c.Names) > 0 {
				m.Name = c.Names[0]
			}
			var md struct {
				ImageName string `json:"image-name"`
				Name      string `json:"name"`
			}
			if json.Unmarshal([]byte(c.Metadata), &md) == nil && m.Image == "" {
				m.Image = md.ImageName
			}
			return
		}
	}
	if m.Name == "" {
		m.note("name, image unknown: container not in any containers.json")
	}
}
