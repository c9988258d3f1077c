package enginetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
	bolt "go.etcd.io/bbolt"
)

// stopConfigs are the stop configurations whose on-disk metadata is
// compared with what the engine's inspect reports.
var stopConfigs = []struct {
	name string
	args []string
}{
	{"default", nil},
	{"stopsignal", []string{"--stop-signal", "SIGINT"}},
	{"stoptimeout", []string{"--stop-timeout", "2"}},
	{"init", []string{"--init"}},
}

// checkLookup compares engine.Lookup's reading of the files with inspect,
// field by field.
func checkLookup(t *testing.T, e Engine, in Inspect, m engine.Metadata) {
	t.Helper()
	if m.Name != in.Name {
		t.Errorf("name: files %q, inspect %q", m.Name, in.Name)
	}
	if m.Image != in.Image {
		t.Errorf("image: files %q, inspect %q", m.Image, in.Image)
	}
	wantSig := in.StopSignal
	if wantSig == "" {
		wantSig = "SIGTERM" // docker inspect shows "" for the default
	}
	if n, err := fmt.Sscan(wantSig, new(int)); err == nil && n == 1 {
		wantSig = signalOf(wantSig)
	}
	if m.StopSignal != wantSig {
		t.Errorf("stop signal: files %q (%s), inspect %q", m.StopSignal, m.StopSignalFrom, in.StopSignal)
	}
	switch {
	case in.StopTimeout == nil && m.StopTimeout.Known:
		t.Errorf("stop timeout: files %+v, inspect absent", m.StopTimeout)
	case in.StopTimeout != nil && (!m.StopTimeout.Known || m.StopTimeout.Value != *in.StopTimeout):
		t.Errorf("stop timeout: files %+v, inspect %d", m.StopTimeout, *in.StopTimeout)
	}
	if !m.Init.Known || m.Init.Value != in.Init {
		t.Errorf("init: files %+v, inspect %v", m.Init, in.Init)
	}
	if in.Pid != 0 && m.Pid != in.Pid {
		t.Errorf("pid: files %d, inspect %d", m.Pid, in.Pid)
	}
	if t.Failed() {
		t.Logf("%s metadata: %+v", e.Name(), m)
	}
}

func signalOf(num string) string {
	var n int
	fmt.Sscan(num, &n)
	return map[int]string{2: "SIGINT", 15: "SIGTERM", 9: "SIGKILL", 3: "SIGQUIT"}[n]
}

func TestDockerLookupMatchesInspect(t *testing.T) {
	d := StartDocker(t)
	opts := scannedOptions(t) // dockerd's --data-root is found in its command line
	type row struct {
		in Inspect
		i  int
	}
	var rows []row
	for i, c := range stopConfigs {
		in := d.Run(t, "lookup-"+c.name, c.args, "sleep", "1000")
		rows = append(rows, row{in, i})
		t.Run(c.name, func(t *testing.T) {
			checkLookup(t, d, in, engine.Lookup("docker", in.ID, opts))
		})
	}
	// The containerd under dockerd has a shim bundle per running container.
	t.Run("containerd", func(t *testing.T) {
		in := rows[0].in
		m := engine.Lookup("containerd", in.ID, opts)
		if m.Namespace != "moby" || m.Pid != in.Pid || len(m.Files) == 0 {
			t.Errorf("containerd bundle: %+v", m)
		}
		if !strings.Contains(strings.Join(m.Notes, "\n"), "containerd keeps it in its database") {
			t.Errorf("no note on the stop signal: %q", m.Notes)
		}
		t.Logf("containerd bundle metadata: %+v", m)
	})
	// With the daemon down the files still answer (the pid is then stale:
	// dockerd resets State.Pid to 0 when it stops the container).
	// Kill the containers first: dockerd would otherwise stop each with its
	// stop timeout as it shuts down.
	for _, r := range rows {
		if _, err := d.docker("kill", r.in.ID); err != nil {
			t.Fatal(err)
		}
	}
	d.StopDaemon(t)
	for _, r := range rows {
		t.Run("daemon-down/"+stopConfigs[r.i].name, func(t *testing.T) {
			m := engine.Lookup("docker", r.in.ID, engine.Options{})
			if len(m.Files) == 0 {
				t.Logf("dockerd gone: data root %s found through a fixture root", d.DataRoot)
				// dockerd is gone from /proc: its data root is not the default.
				m = engine.Lookup("docker", r.in.ID, engine.Options{Root: rootFor(t, d)})
			}
			r.in.Pid = 0
			checkLookup(t, d, r.in, m)
		})
	}
}

// rootFor makes a fixture root whose /var/lib/docker holds a copy of d's
// containers, the way a host's default data root would be found with no
// dockerd running. A copy, not a symlink to d's data root: an absolute
// link inside a root names a path of that root, and sigview resolves it
// there (RESOLVE_IN_ROOT), as the host would.
func rootFor(t *testing.T, d *Docker) string {
	root := t.TempDir()
	dst := filepath.Join(root, "var/lib/docker")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("cp", "-a", filepath.Join(d.DataRoot, "containers"), dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, b)
	}
	return root
}

// scannedOptions are the engine options a scan of the host's /proc gives:
// the running daemons' command lines, as sigview reads them.
func scannedOptions(t *testing.T) engine.Options {
	t.Helper()
	snap, err := procinspect.Scanner{Root: "/proc"}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	return snap.EngineOptions()
}

func TestPodmanLookupMatchesInspect(t *testing.T) {
	p := NewPodman(t)
	for _, c := range stopConfigs {
		in := p.Run(t, "lookup-"+c.name, c.args, "sleep", "1000")
		t.Run(c.name, func(t *testing.T) {
			// Found through the running conmon's command line.
			checkLookup(t, p, in, engine.Lookup("podman", in.ID, scannedOptions(t)))
			// And through explicit roots, as storage.conf would give them.
			checkLookup(t, p, in, engine.Lookup("podman", in.ID, engine.Options{ContainersStorage: p.StorageRoots()}))
		})
	} // While a podman command holds its database, the stop timeout is
	// unknown, with the reason, and Lookup does not wait long.
	t.Run("db-locked", func(t *testing.T) {
		// Inspect first: podman itself would wait for the lock forever.
		in := p.Inspect(t, "lookup-stoptimeout")
		db, err := bolt.Open(filepath.Join(p.Root, "libpod", "bolt_state.db"), 0o600, &bolt.Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		start := time.Now()
		m := engine.Lookup("podman", in.ID, engine.Options{ContainersStorage: p.StorageRoots()})
		if m.StopTimeout.Known || !strings.Contains(strings.Join(m.Notes, "\n"), "holds it") {
			t.Errorf("locked db: %+v, notes %q", m.StopTimeout, m.Notes)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Lookup waited %v for the lock", took)
		}
		if m.Name != in.Name || m.StopSignal != "SIGTERM" {
			t.Errorf("the other fields should not depend on the database: %+v", m)
		}
	})
}
