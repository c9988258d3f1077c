package metrics

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
)

var update = flag.Bool("update", false, "rewrite testdata/fixture.golden")

// fixtureKernel is a measured profile, so that predictions are known.
var fixtureKernel = (&procinspect.Kernel{Release: "6.18.44-test", Version: "#1 SMP", Source: "probe"}).
	WithRule(procinspect.RuleFastPathKillsInit, false, "test").
	WithRule(procinspect.RuleCoreFastPathKillsInit, false, "test").
	WithRule(procinspect.RuleTracedPassOnKillsInit, false, "test")

// fixtureSource scans the fixture procfs (../testdata/proc) as the proc of
// a host whose engine files name its containers: a docker container whose
// name holds an escape sequence and whose stop timeout is 20 s, and the
// Kubernetes pod's log directory.
func fixtureSource(t *testing.T) *Source {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		nstest.Skip(t, "fixture-x86_64", "the fixture's syscall files hold x86_64 numbers, not %s's", runtime.GOARCH)
	}
	host := t.TempDir()
	fx, err := filepath.Abs("../testdata/proc")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fx, filepath.Join(host, "proc")); err != nil {
		t.Fatal(err)
	}
	ct := filepath.Join(host, "var/lib/docker/containers/3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f")
	pod := filepath.Join(host, "var/log/pods/shop_web-7d_74ba62da-1a3d-11e7-bb11-080027cb0e22")
	for _, d := range []string{ct, pod} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg := `{"Name":"/db\u001b[31m","Config":{"Image":"postgres","StopTimeout":20}}`
	if err := os.WriteFile(filepath.Join(ct, "config.v2.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return &Source{Scanner: procinspect.Scanner{Root: filepath.Join(host, "proc"), SelfNS: filepath.Join(fx, "1/ns/pid"), Kernel: fixtureKernel}}
}

// The fixture's metrics with every collector on, except the two that
// depend on the clock, match the golden exposition.
func TestCollectorGolden(t *testing.T) {
	snap, err := fixtureSource(t).Scan()
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(Options{Verdicts: true})
	c.Set(snap)
	c.Failed()
	names := []string{"sigview_stop_needs_sigkill", "sigview_stop_expected_seconds", "sigview_stop_expected_exit_code",
		"sigview_init_signal_verdict", "sigview_namespaces", "sigview_processes", "sigview_scan_warnings",
		"sigview_scan_errors_total", "sigview_kernel_info"}
	golden := filepath.Join("testdata", "fixture.golden")
	if *update {
		var buf bytes.Buffer
		writeExposition(t, &buf, c, names)
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := testutil.CollectAndCompare(c, f, names...); err != nil {
		t.Errorf("CollectAndCompare(fixture, %s): %v", golden, err)
	}
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Errorf("CollectAndLint = %v, %v; want no problems", problems, err)
	}
}

// The clock-dependent metrics say when the scan started and how long it
// took.
func TestCollectorScanTime(t *testing.T) {
	snap, err := fixtureSource(t).Scan()
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(Options{})
	c.Set(snap)
	mfs := gather(t, c)
	if got, want := gauge(t, mfs, "sigview_last_scan_timestamp_seconds"), float64(snap.Time.UnixNano())/1e9; got != want {
		t.Errorf("sigview_last_scan_timestamp_seconds = %v; want %v", got, want)
	}
	if got := gauge(t, mfs, "sigview_scan_duration_seconds"); got <= 0 || got != snap.Took.Seconds() {
		t.Errorf("sigview_scan_duration_seconds = %v; want %v (> 0)", got, snap.Took.Seconds())
	}
}

// Before the first scan only the error counter is there.
func TestCollectorEmpty(t *testing.T) {
	c := NewCollector(Options{})
	if n := testutil.CollectAndCount(c); n != 1 {
		t.Errorf("CollectAndCount(no scan) = %d; want 1 (sigview_scan_errors_total)", n)
	}
}

// A hostile container name reaches the label escaped, never raw.
func TestCollectorEscapesNames(t *testing.T) {
	snap, err := fixtureSource(t).Scan()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, in := range snap.Inits {
		if strings.ContainsRune(in.Labels.ContainerName, 0x1b) {
			t.Errorf("container_name %q holds a raw ESC", in.Labels.ContainerName)
		}
		if strings.HasPrefix(in.Labels.ContainerName, "db") {
			found = true
		}
	}
	if !found {
		t.Error("no init has the docker container's name from config.v2.json")
	}
}

// The stop metrics: 1 and 0 for a known stop, absent when unknown; the
// host's init (no stop) has none.
func TestCollectorStops(t *testing.T) {
	yes, no := true, false
	zero, ten := 0.0, 10.0
	e0, e137 := 0, 137
	snap := &Snapshot{Inits: []Init{
		{Labels: InitLabels{PIDNS: "1", Program: "systemd"}},
		{Labels: InitLabels{PIDNS: "2", Program: "sleep"}, Stop: &StopPrediction{NeedsSIGKILL: &yes, Seconds: &ten, ExitCode: &e137}},
		{Labels: InitLabels{PIDNS: "3", Program: "tini"}, Stop: &StopPrediction{NeedsSIGKILL: &no, Seconds: &zero, ExitCode: &e0}},
		{Labels: InitLabels{PIDNS: "4", Program: "node"}, Stop: &StopPrediction{}},
	}}
	c := NewCollector(Options{})
	c.Set(snap)
	const want = `# HELP sigview_stop_needs_sigkill 1 when the namespace's configured stop (Kubernetes' for a pod's container, else docker stop's) will not end its init within the grace period, so the runtime sends SIGKILL; 0 when the stop signal ends it; absent when unknown.
# TYPE sigview_stop_needs_sigkill gauge
sigview_stop_needs_sigkill{container="",container_id="",container_name="",pidns="2",pod="",pod_namespace="",program="sleep",runtime=""} 1
sigview_stop_needs_sigkill{container="",container_id="",container_name="",pidns="3",pod="",pod_namespace="",program="tini",runtime=""} 0
# HELP sigview_stop_expected_seconds How long the configured stop is predicted to take: 0 when the stop signal ends the init at once, the seconds its own known steps take (busybox init: 2 or 3), the grace period when SIGKILL is needed; absent when the program decides.
# TYPE sigview_stop_expected_seconds gauge
sigview_stop_expected_seconds{container="",container_id="",container_name="",pidns="2",pod="",pod_namespace="",program="sleep",runtime=""} 10
sigview_stop_expected_seconds{container="",container_id="",container_name="",pidns="3",pod="",pod_namespace="",program="tini",runtime=""} 0
# HELP sigview_stop_expected_exit_code The exit status the runtime is predicted to report after the configured stop; absent when unknown.
# TYPE sigview_stop_expected_exit_code gauge
sigview_stop_expected_exit_code{container="",container_id="",container_name="",pidns="2",pod="",pod_namespace="",program="sleep",runtime=""} 137
sigview_stop_expected_exit_code{container="",container_id="",container_name="",pidns="3",pod="",pod_namespace="",program="tini",runtime=""} 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "sigview_stop_needs_sigkill",
		"sigview_stop_expected_seconds", "sigview_stop_expected_exit_code"); err != nil {
		t.Error(err)
	}
}

// By default an init has at most its five stop series (three predicted,
// its configured stop signal, and whether that stop was assumed), and
// sigview_init_signal_verdict only comes with Options.Verdicts (16 series
// per init: 4 predictions × 4 verdicts).
func TestCollectorSeriesPerInit(t *testing.T) {
	snap, err := fixtureSource(t).Scan()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		verdicts bool
		max      int
	}{{false, 5}, {true, 5 + 16}} {
		col := NewCollector(Options{Verdicts: c.verdicts})
		col.Set(snap)
		perInit := map[string]int{}
		for name, mf := range gather(t, col) {
			if name == "sigview_init_signal_verdict" && !c.verdicts {
				t.Errorf("sigview_init_signal_verdict exported without Options.Verdicts")
			}
			for _, m := range mf.Metric {
				for _, l := range m.Label {
					if l.GetName() == "pidns" {
						perInit[l.GetValue()]++
					}
				}
			}
		}
		if c.verdicts && len(perInit) != len(snap.Inits) { // the fixture predicts no stop: only verdicts name every init
			t.Errorf("verdicts %v: series for %d inits; want %d", c.verdicts, len(perInit), len(snap.Inits))
		}
		for ns, n := range perInit {
			if n > c.max {
				t.Errorf("verdicts %v: namespace %s has %d series; want at most %d", c.verdicts, ns, n, c.max)
			}
		}
	}
}

// The program label is a row of procinspect's programs table or "other",
// never the init's own name (the fixture's inits include /myinit, which
// sigview does not recognise).
func TestCollectorProgramLabel(t *testing.T) {
	snap, err := fixtureSource(t).Scan()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{OtherProgram: true}
	for _, pg := range []procinspect.Program{procinspect.ProgTini, procinspect.ProgDumbInit, procinspect.ProgCatatonit,
		procinspect.ProgPause, procinspect.ProgNode, procinspect.ProgPython, procinspect.ProgShell, procinspect.ProgJava,
		procinspect.ProgBusyboxInit, procinspect.ProgS6Svscan, procinspect.ProgRunsvdir, procinspect.ProgSupervisord, procinspect.ProgSystemd} {
		known[string(pg)] = true
	}
	others := 0
	for _, in := range snap.Inits {
		if !known[in.Labels.Program] {
			t.Errorf("namespace %s: program=%q is not a recognised program nor %q", in.Labels.PIDNS, in.Labels.Program, OtherProgram)
		}
		if in.Labels.Program == OtherProgram {
			others++
		}
	}
	if others == 0 {
		t.Errorf("no init of the fixture has program=%q; the test no longer covers an unrecognised init", OtherProgram)
	}
}

// sigview_stop_assumed is 1 for a stop sigview assumed (a namespace no
// engine file describes: docker stop's defaults) and 0 for one read from
// the container's own configuration (the fixture's docker container, whose
// config.v2.json gives its stop timeout; its stop signal is absent there,
// so docker's default applies by that configuration).
func TestCollectorStopAssumed(t *testing.T) {
	snap, err := fixtureSource(t).Scan()
	if err != nil {
		t.Fatal(err)
	}
	col := NewCollector(Options{})
	col.Set(snap)
	got := map[string]float64{}
	for _, m := range gather(t, col)["sigview_stop_assumed"].GetMetric() {
		for _, l := range m.Label {
			if l.GetName() == "pidns" {
				got[l.GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	want := map[string]float64{"4026532201": 0, "4026532400": 1, "4026532305": 1}
	for ns, v := range want {
		if g, ok := got[ns]; !ok || g != v {
			t.Errorf("sigview_stop_assumed{pidns=%q} = %v (present %v); want %v", ns, g, ok, v)
		}
	}
	if _, ok := got["4026531836"]; ok {
		t.Errorf("sigview_stop_assumed for the host's init, which has no stop")
	}
}
