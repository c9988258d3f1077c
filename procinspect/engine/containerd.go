package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// containerdStates lists the state directories of containerd instances:
// the default /run/containerd (a containerd's own state directory comes
// from its config file, which is not read) and Docker's own containerd
// under each of dockerd's exec roots.
func containerdStates(opts Options) []string {
	states := []string{"/run/containerd"}
	_, execs := dockerRoots(opts)
	for _, e := range execs {
		states = append(states, filepath.Join(e, "containerd", "daemon"))
	}
	return states
}

// lookupContainerd reads the shim's bundle config.json
// (io.containerd.runtime.v2.task/<namespace>/<id>/config.json).
func lookupContainerd(m *Metadata, opts Options) {
	m.note("stop signal unknown: containerd keeps it in its database; SIGTERM assumed")
	for _, st := range containerdStates(opts) {
		for _, p := range inSubdirs(opts.path(filepath.Join(st, "io.containerd.runtime.v2.task")), "", m.ID, "config.json") {
			b, err := readLimited(p)
			if err != nil {
				m.note("bundle " + p + ": " + err.Error())
				continue
			}
			m.Files = append(m.Files, p)
			m.Namespace = filepath.Base(filepath.Dir(filepath.Dir(p)))
			var s specs.Spec
			if err := json.Unmarshal(b, &s); err != nil {
				m.note("annotations unknown: " + p + ": " + err.Error())
				return
			}
			a := s.Annotations
			m.ContainerName = a["io.kubernetes.cri.container-name"]
			m.Pod.Name = a["io.kubernetes.cri.sandbox-name"]
			m.Pod.Namespace = a["io.kubernetes.cri.sandbox-namespace"]
			m.Pod.UID = a["io.kubernetes.cri.sandbox-uid"]
			m.Image = a["io.kubernetes.cri.image-name"]
			if m.ContainerName != "" {
				m.Name = m.ContainerName
			}
			if pb, err := readLimited(filepath.Join(filepath.Dir(p), "init.pid")); err == nil {
				m.Files = append(m.Files, filepath.Join(filepath.Dir(p), "init.pid"))
				var pid int
				if json.Unmarshal(pb, &pid) == nil {
					m.Pid = pid
				}
			}
			if m.Image == "" {
				m.note("image unknown: no io.kubernetes.cri.image-name annotation (containerd keeps the image in its database)")
			}
			return
		}
	}
	m.note("namespace, annotations unknown: no io.containerd.runtime.v2.task/*/" + m.ID + "/config.json under /run/containerd or Docker's exec roots")
}

// inSubdirs returns dir/<sub>/<rest...> for every subdirectory sub of dir
// whose name ends in suffix and that holds that path: the exact names rest
// joined, never matched as a pattern.
func inSubdirs(dir, suffix string, rest ...string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() || !strings.HasSuffix(e.Name(), suffix) {
			continue
		}
		p := filepath.Join(append([]string{dir, e.Name()}, rest...)...)
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}
