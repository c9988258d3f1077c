package engine

import (
	"encoding/json"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// containerdStates lists the state directories of containerd instances:
// the default /run/containerd (a containerd's own state directory comes
// from its config file, which is not read) and Docker's own containerd
// under each of dockerd's exec roots.
func containerdStates(opts Options) []place {
	states := []place{opts.host("/run/containerd")}
	_, execs := dockerRoots(opts)
	for _, e := range execs {
		states = append(states, e.join("containerd", "daemon"))
	}
	return states
}

// lookupContainerd reads the shim's bundle config.json
// (io.containerd.runtime.v2.task/<namespace>/<id>/config.json).
func lookupContainerd(m *Metadata, opts Options) {
	m.note("stop signal unknown: containerd keeps it in its database; SIGTERM assumed")
	for _, st := range containerdStates(opts) {
		for _, cfg := range st.join("io.containerd.runtime.v2.task").inSubdirs("", m.ID, "config.json") {
			bundle := cfg.join("..")
			p := cfg.String()
			b, err := cfg.read()
			if err != nil {
				m.note("bundle " + p + ": " + err.Error())
				continue
			}
			m.Files = append(m.Files, p)
			m.Namespace = filepath.Base(filepath.Dir(bundle.Path))
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
			if pb, err := bundle.join("init.pid").read(); err == nil {
				m.Files = append(m.Files, bundle.join("init.pid").String())
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
