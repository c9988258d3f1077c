package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// daemonFlags returns, for every running process whose program is name, the
// values of the given flags on its command line ("--data-root D" or
// "--data-root=D"); a missing flag maps to "".
func daemonFlags(opts Options, name string, flags ...string) []map[string]string {
	var out []map[string]string
	for _, args := range cmdlines(opts, name) {
		got := map[string]string{}
		for i, a := range args[1:] {
			for _, f := range flags {
				if a == f && i+2 < len(args) {
					got[f] = args[i+2]
				} else if v, ok := strings.CutPrefix(a, f+"="); ok {
					got[f] = v
				}
			}
		}
		out = append(out, got)
	}
	return out
}

// cmdlines returns the command lines of the running processes whose program
// is name, as the scan found them (Options.Daemons); none without it.
func cmdlines(opts Options, name string) [][]string {
	if opts.Daemons == nil {
		return nil
	}
	return opts.Daemons(name)
}

// dockerRoots lists the candidate data roots and exec roots, most specific
// first: running dockerds' flags, daemon.json, the defaults, rootless
// Docker's per-user roots.
func dockerRoots(opts Options) (data, exec []string) {
	add := func(list *[]string, p string) {
		for _, q := range *list {
			if q == p {
				return
			}
		}
		*list = append(*list, p)
	}
	for _, f := range daemonFlags(opts, "dockerd", "--data-root", "--graph", "-g", "--exec-root") {
		for _, k := range []string{"--data-root", "--graph", "-g"} {
			if f[k] != "" {
				add(&data, f[k])
			}
		}
		if f["--exec-root"] != "" {
			add(&exec, f["--exec-root"])
		}
	}
	if b, err := os.ReadFile(opts.path("/etc/docker/daemon.json")); err == nil {
		var cfg struct {
			DataRoot string `json:"data-root"`
			ExecRoot string `json:"exec-root"`
		}
		if json.Unmarshal(b, &cfg) == nil {
			if cfg.DataRoot != "" {
				add(&data, cfg.DataRoot)
			}
			if cfg.ExecRoot != "" {
				add(&exec, cfg.ExecRoot)
			}
		}
	}
	add(&data, "/var/lib/docker")
	add(&exec, "/var/run/docker")
	add(&exec, "/run/docker")
	homes, _ := filepath.Glob(opts.path("/home/*"))
	homes = append(userStores(opts, homes), opts.path("/root"))
	for _, h := range homes {
		rel := strings.TrimPrefix(h, strings.TrimSuffix(opts.path("/"), "/"))
		add(&data, filepath.Join(rel, ".local/share/docker"))
	}
	// Rootless Docker's exec root is $XDG_RUNTIME_DIR/docker.
	users, _ := filepath.Glob(opts.path("/run/user/*/docker"))
	for _, u := range userStores(opts, users) {
		add(&exec, strings.TrimPrefix(u, strings.TrimSuffix(opts.path("/"), "/")))
	}
	return data, exec
}
