package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A daemon's paths are resolved inside its own root: an absolute symlink
// or a ".." chain stops there, and no /proc magic link is crossed, so a
// trusted daemon's flag (or a link planted in its store) cannot hand
// sigview a file the daemon could not see itself.
func TestDaemonPathsStayInTheirRoot(t *testing.T) {
	const id = "abcddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	cfg := func(name string) string {
		return `{"Name":"/` + name + `","Config":{"Image":"img","StopSignal":"SIGKILL"}}`
	}
	outside := t.TempDir() // a directory of the host, outside the daemon's root
	write(t, outside, "/containers/"+id+"/config.v2.json", cfg("forged"))
	daemonRoot := t.TempDir()
	write(t, daemonRoot, "/var/lib/inner/containers/"+id+"/config.v2.json", cfg("real"))
	// Links in the daemon's root that point out of it.
	if err := os.MkdirAll(filepath.Join(daemonRoot, "links"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"abs":    outside,
		"dotdot": strings.Repeat("../", 20) + strings.TrimPrefix(outside, "/"),
	} {
		if err := os.Symlink(target, filepath.Join(daemonRoot, "links", name)); err != nil {
			t.Fatal(err)
		}
	}
	lookup := func(dataRoot string) Metadata {
		return Lookup("docker", id, Options{Root: t.TempDir(), OwnerUID: -1, Daemons: func(name string) []Daemon {
			if name != "dockerd" {
				return nil
			}
			return []Daemon{{Argv: []string{"dockerd", "--data-root", dataRoot}, Root: daemonRoot, Show: "/proc/4260/root"}}
		}})
	}
	if m := lookup("/var/lib/inner"); m.Name != "real" || len(m.Files) == 0 || !strings.HasPrefix(m.Files[0], "/proc/4260/root/var/lib/inner/") {
		t.Errorf("the daemon's own data root: name %q files %q notes %q", m.Name, m.Files, m.Notes)
	}
	for _, dataRoot := range []string{
		outside,                              // a host path: seen from the daemon's root, it does not exist
		"/links/abs",                         // an absolute link out of the root
		"/links/dotdot",                      // a ".." chain out of the root
		"/proc/self/root" + outside,          // a magic link (no /proc in this root: not there)
		"../../../../../../../../" + outside, // a relative flag
	} {
		if m := lookup(dataRoot); m.Name != "" || len(m.Files) != 0 {
			t.Errorf("--data-root %s read %q: name %q", dataRoot, m.Files, m.Name)
		}
	}
}

// A magic link is refused even when the root has a /proc: a flag such as
// --data-root /proc/self/root/x names the files of whatever process opens
// it, never the daemon's.
func TestMagicLinksRefused(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "/f", "x")
	p := place{Root: "/", Path: "/proc/self/root" + dir + "/f"}
	if b, err := p.read(); err == nil {
		t.Fatalf("read %q through a magic link", b)
	}
	if b, err := (place{Root: "/", Path: dir + "/f"}).read(); err != nil || string(b) != "x" {
		t.Fatalf("the plain path: %q %v", b, err)
	}
}
