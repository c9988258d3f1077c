package engine

import (
	"encoding/json"
	"strconv"
	"strings"
)

// dockerConfig is the part of Docker's config.v2.json sigview reads.
type dockerConfig struct {
	Name   string
	State  struct{ Pid int }
	Config struct {
		Image       string
		StopSignal  string
		StopTimeout *int64
		Labels      map[string]string
	}
}

type dockerHostConfig struct {
	Init *bool
}

func lookupDocker(m *Metadata, opts Options) {
	roots, _ := dockerRoots(opts)
	var dir place
	found := false
	for _, r := range roots {
		if d := r.join("containers", m.ID); d.isDir() {
			dir, found = d, true
			break
		}
	}
	if !found {
		m.note("name, image, stop signal, stop timeout, init unknown: no containers/" + m.ID +
			" under any docker data root (" + showPlaces(roots) + ")")
		return
	}
	cfg := dir.join("config.v2.json")
	cfgPath := cfg.String()
	if b, ok := m.readFile(cfg, "name, image, stop signal, stop timeout"); ok {
		var c dockerConfig
		if err := json.Unmarshal(b, &c); err != nil {
			m.note("name, image, stop signal, stop timeout unknown: " + cfgPath + ": " + err.Error())
		} else {
			m.Name = strings.TrimPrefix(c.Name, "/")
			m.Image = c.Config.Image
			m.Pid = c.State.Pid
			if c.Config.StopSignal == "" {
				m.StopSignal = "SIGTERM"
				m.StopSignalFrom = "docker default (Config.StopSignal empty in " + cfgPath + ")"
			} else {
				s, ok := signalName(c.Config.StopSignal)
				m.StopSignal = s
				m.StopSignalFrom = "Config.StopSignal in " + cfgPath + rtNote(c.Config.StopSignal, s)
				if !ok {
					m.note("stop signal " + quote(c.Config.StopSignal) + " is no signal name")
				}
			}
			if c.Config.StopTimeout != nil {
				m.StopTimeout = Seconds{Value: *c.Config.StopTimeout, Known: true, From: "Config.StopTimeout in " + cfgPath}
			} else {
				m.StopTimeout.From = "Config.StopTimeout absent in " + cfgPath + ": docker default (10 s)"
				m.StopTimeout.Absent = true
			}
			kubeLabels(m, c.Config.Labels, cfgPath)
		}
	}
	hc := dir.join("hostconfig.json")
	hcPath := hc.String()
	if b, ok := m.readFile(hc, "init"); ok {
		var h dockerHostConfig
		if err := json.Unmarshal(b, &h); err != nil {
			m.note("init unknown: " + hcPath + ": " + err.Error())
		} else if h.Init == nil {
			// Absent means the daemon's "init" setting (daemon.json), false by default.
			m.Init = Bool{false, true, "Init absent in " + hcPath + ": daemon default"}
		} else {
			m.Init = Bool{*h.Init, true, "Init in " + hcPath}
		}
	}
}

// kubeLabels reads the Kubernetes labels cri-dockerd (dockershim) puts on a
// container.
func kubeLabels(m *Metadata, l map[string]string, from string) {
	if l == nil {
		return
	}
	m.Pod.Name = l["io.kubernetes.pod.name"]
	m.Pod.Namespace = l["io.kubernetes.pod.namespace"]
	m.Pod.UID = l["io.kubernetes.pod.uid"]
	m.ContainerName = l["io.kubernetes.container.name"]
	for _, k := range []string{"annotation.io.kubernetes.pod.terminationGracePeriod", "io.kubernetes.pod.terminationGracePeriod"} {
		if v, ok := l[k]; ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				m.StopTimeout = Seconds{Value: n, Known: true, From: k + " in " + from}
			} else {
				m.note("stop timeout: " + k + " " + quote(v) + " is not a number")
			}
			break
		}
	}
}
