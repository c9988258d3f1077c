package engine

import (
	"encoding/json"
	"strings"
)

// daemonFlags returns, for every running daemon whose program is name, the
// places its command line names with the given flags ("--data-root D" or
// "--data-root=D"), each inside that daemon's own root; a missing flag is
// absent from the map.
func daemonFlags(opts Options, name string, flags ...string) []map[string]place {
	var out []map[string]place
	for _, d := range daemons(opts, name) {
		args := d.Argv
		got := map[string]place{}
		for i, a := range args[1:] {
			for _, f := range flags {
				v, ok := strings.CutPrefix(a, f+"=")
				if a == f && i+2 < len(args) {
					v, ok = args[i+2], true
				}
				if ok && v != "" {
					got[f] = opts.in(d, v)
				}
			}
		}
		out = append(out, got)
	}
	return out
}

// daemons returns the running daemons whose program is name, as the scan
// found them (Options.Daemons); none without it.
func daemons(opts Options, name string) []Daemon {
	if opts.Daemons == nil {
		return nil
	}
	var out []Daemon
	for _, d := range opts.Daemons(name) {
		if len(d.Argv) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// addPlace appends p to list unless it is there already.
func addPlace(list *[]place, p place) {
	for _, q := range *list {
		if q == p {
			return
		}
	}
	*list = append(*list, p)
}

// dockerRoots lists the candidate data roots and exec roots, most specific
// first: running dockerds' flags, daemon.json, the defaults, rootless
// Docker's per-user roots.
func dockerRoots(opts Options) (data, exec []place) {
	for _, f := range daemonFlags(opts, "dockerd", "--data-root", "--graph", "-g", "--exec-root") {
		for _, k := range []string{"--data-root", "--graph", "-g"} {
			if p, ok := f[k]; ok {
				addPlace(&data, p)
			}
		}
		if p, ok := f["--exec-root"]; ok {
			addPlace(&exec, p)
		}
	}
	if b, err := opts.host("/etc/docker/daemon.json").read(); err == nil {
		var cfg struct {
			DataRoot string `json:"data-root"`
			ExecRoot string `json:"exec-root"`
		}
		if json.Unmarshal(b, &cfg) == nil {
			if cfg.DataRoot != "" {
				addPlace(&data, opts.host(cfg.DataRoot))
			}
			if cfg.ExecRoot != "" {
				addPlace(&exec, opts.host(cfg.ExecRoot))
			}
		}
	}
	addPlace(&data, opts.host("/var/lib/docker"))
	addPlace(&exec, opts.host("/var/run/docker"))
	addPlace(&exec, opts.host("/run/docker"))
	for _, h := range append(userStores(opts, "/home/*"), opts.host("/root")) {
		addPlace(&data, h.join(".local/share/docker"))
	}
	// Rootless Docker's exec root is $XDG_RUNTIME_DIR/docker.
	for _, u := range userStores(opts, "/run/user/*/docker") {
		addPlace(&exec, u)
	}
	return data, exec
}

// showPlaces names places for a note.
func showPlaces(ps []place) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
