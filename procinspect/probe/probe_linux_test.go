package probe

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
)

// requireMeasured fails unless every rule of k was measured.
func requireMeasured(t *testing.T, k *procinspect.Kernel) {
	t.Helper()
	if len(k.Rules) != len(procinspect.AllRules) {
		t.Fatalf("%d rules, want %d: %+v", len(k.Rules), len(procinspect.AllRules), k.Rules)
	}
	for i, r := range k.Rules {
		if r.Name != procinspect.AllRules[i] {
			t.Errorf("rule %d is %s, want %s", i, r.Name, procinspect.AllRules[i])
		}
		if !r.Value.Known {
			t.Errorf("rule %s was not measured: %s", r.Name, r.How)
		}
	}
}

// Two measurements of the same kernel agree, and every rule gets an answer
// as root.
func TestMeasureAgrees(t *testing.T) {
	nstest.NeedNamespaces(t)
	a, b := Measure(), Measure()
	requireMeasured(t, a)
	requireMeasured(t, b)
	for _, name := range procinspect.AllRules {
		ra, rb := a.Rule(name), b.Rule(name)
		if ra.Value != rb.Value {
			t.Errorf("%s: first %v (%s), then %v (%s)", name, ra.Value, ra.How, rb.Value, rb.How)
		}
		t.Logf("%s = %v: %s", name, ra.Value.V, ra.How)
	}
	if a.BootID == "" || a.Release == "" || a.Version == "" {
		t.Errorf("identity not read: boot_id %q, release %q, version %q", a.BootID, a.Release, a.Version)
	}
	t.Logf("took %v and %v", a.Took, b.Took)
}

// A second Load in the same boot reads the cache and starts no helper.
func TestLoadUsesCache(t *testing.T) {
	nstest.NeedNamespaces(t)
	dir := t.TempDir()
	first := Load(Options{CacheDir: dir})
	requireMeasured(t, first)
	if first.Source != "probe" {
		t.Errorf("first Load: source %q, want probe", first.Source)
	}
	started := helpersStarted.Load()
	second := Load(Options{CacheDir: dir})
	if n := helpersStarted.Load() - started; n != 0 {
		t.Errorf("second Load started %d helper inits, want 0 (cached)", n)
	}
	if second.Source != "cache" || !second.ProbedAt.Equal(first.ProbedAt) {
		t.Errorf("second Load: source %q probed at %v; want cache, %v", second.Source, second.ProbedAt, first.ProbedAt)
	}
	for _, name := range procinspect.AllRules {
		if first.Rule(name).Value != second.Rule(name).Value {
			t.Errorf("%s: measured %v, cached %v", name, first.Rule(name).Value, second.Rule(name).Value)
		}
	}
}

// writeTestCache writes a cache file as Load would, with k's contents.
func writeTestCache(t *testing.T, dir string, k *procinspect.Kernel, mode os.FileMode) {
	t.Helper()
	b, err := json.Marshal(cached{Version: cacheVersion, Kernel: k})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, cacheName)
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// A cache from another boot, another build, or one that others can write
// is measured again.
func TestCacheInvalidated(t *testing.T) {
	nstest.NeedNamespaces(t)
	now := identity()
	stale := func(edit func(k *procinspect.Kernel)) *procinspect.Kernel {
		k := &procinspect.Kernel{Release: now.Release, Version: now.Version, BootID: now.BootID, Source: "probe"}
		// The opposite of anything a kernel could measure: a rule value
		// that this test would notice if the stale file were used.
		for _, name := range procinspect.AllRules {
			k.Set(procinspect.Rule{Name: name, How: "planted by the test"})
		}
		edit(k)
		return k
	}
	for _, c := range []struct {
		name string
		k    *procinspect.Kernel
		mode os.FileMode
	}{
		{"another boot", stale(func(k *procinspect.Kernel) { k.BootID = "00000000-0000-0000-0000-000000000000" }), 0o644},
		{"another build", stale(func(k *procinspect.Kernel) { k.Version += " (rebuilt)" }), 0o644},
		{"another release", stale(func(k *procinspect.Kernel) { k.Release = "0.0.1" }), 0o644},
		{"writable by others", stale(func(*procinspect.Kernel) {}), 0o666},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Chmod(dir, 0o755)
			writeTestCache(t, dir, c.k, c.mode)
			started := helpersStarted.Load()
			got := Load(Options{CacheDir: dir})
			if helpersStarted.Load() == started || got.Source != "probe" {
				t.Fatalf("Load used the stale cache (source %q)", got.Source)
			}
			requireMeasured(t, got)
			// The new measurement replaced the file, keyed by this boot.
			again, err := readCache(filepath.Join(dir, cacheName))
			if err != nil {
				t.Fatalf("cache not rewritten: %v", err)
			}
			if !sameKernel(again, now) {
				t.Errorf("rewritten cache is keyed %q %q %q, want this boot's", again.BootID, again.Release, again.Version)
			}
		})
	}
}

// As a user other than root, the probe makes a user and PID namespace; on
// a kernel that allows it, it measures the same rules.
func TestMeasureUnprivileged(t *testing.T) {
	nstest.NeedNamespaces(t)
	if os.Getenv("SIGVIEW_PROBE_CHILD") != "" {
		t.Skip("the child side of this test")
	}
	cmd := exec.Command(exposedCopy(t), "-test.run=^TestMeasureAsChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SIGVIEW_PROBE_CHILD=1", "XDG_RUNTIME_DIR=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	t.Logf("as uid 65534:\n%s", out)
	if err != nil {
		t.Fatalf("the unprivileged probe failed: %v", err)
	}
	var child procinspect.Kernel
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "PROFILE "); ok {
			if err := json.Unmarshal([]byte(rest), &child); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(child.Rules) == 0 {
		t.Fatalf("no profile printed")
	}
	if userns, _ := os.ReadFile("/proc/sys/kernel/unprivileged_userns_clone"); string(userns) == "0\n" {
		// The kernel refuses: every rule must then be unknown, with why.
		for _, r := range child.Rules {
			if r.Value.Known {
				t.Errorf("%s measured without a user namespace", r.Name)
			}
		}
		return
	}
	root := Measure()
	for _, name := range procinspect.AllRules {
		if rc, rr := child.Rule(name), root.Rule(name); rc.Value != rr.Value {
			t.Errorf("%s: as uid 65534 %v (%s), as root %v (%s)", name, rc.Value, rc.How, rr.Value, rr.How)
		}
	}
	if want := "as uid " + strconv.Itoa(65534); !strings.Contains(child.Method, want) {
		t.Errorf("method %q does not say %q", child.Method, want)
	}
}

// TestMeasureAsChild is the unprivileged side of TestMeasureUnprivileged.
func TestMeasureAsChild(t *testing.T) {
	if os.Getenv("SIGVIEW_PROBE_CHILD") == "" {
		t.Skip("run by TestMeasureUnprivileged")
	}
	b, _ := json.Marshal(Measure())
	os.Stdout.Write(append([]byte("PROFILE "), append(b, '\n')...))
}

// exposedCopy copies the test binary where another user can run it (go
// test builds it in a directory only root can enter).
func exposedCopy(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sigview-probe-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "probe.test")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// BenchmarkMeasure reports how long one probe of the running kernel takes.
func BenchmarkMeasure(b *testing.B) {
	nstest.NeedNamespaces(b)
	for b.Loop() {
		Measure()
	}
}
