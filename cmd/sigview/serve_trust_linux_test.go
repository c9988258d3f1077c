package main

// End to end: what `sigview serve` lets a scraper learn. The snapshot is
// off by default and keeps no argument unless asked; labels take only
// sigview's own values; an init costs a bounded number of series.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect/metrics"
)

// randomLetters is n random lower-case letters, different every run.
func randomLetters(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rand.IntN(26))
	}
	return string(b)
}

// waitScan polls base/metrics until every namespace of pidns has a series
// (a scan has seen them all) and returns that scrape.
func waitScan(t *testing.T, base string, pidns ...string) string {
	t.Helper()
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		code, body, err := httpGet(base + "/metrics")
		if err != nil || code != 200 {
			continue
		}
		last = string(body)
		all := true
		for _, ns := range pidns {
			all = all && strings.Contains(last, `pidns="`+ns+`"`)
		}
		if all {
			return last
		}
	}
	t.Fatalf("no scrape of %s named every namespace of %v; last:\n%s", base, pidns, last)
	return ""
}

// The snapshot: 404 by default, saying how to enable it; with
// --web.enable-snapshot the init's cmdline is argv[0] alone (its
// --password=… argument is nowhere in the document); with
// --web.snapshot-cmdline as well, the argument is there. No label carries it.
func TestServeSnapshotArguments(t *testing.T) {
	nstest.NeedNamespaces(t)
	tl := buildTools(t)
	secret := "--password=hunter2-" + randomLetters(12)
	ns := startNSInit(t, tl.initprog, "none", secret)
	for _, c := range []struct {
		flags []string
		want  []string // the init's cmdline; nil: the endpoint is off
	}{
		{nil, nil},
		{[]string{"--web.enable-snapshot"}, []string{tl.initprog}},
		{[]string{"--web.enable-snapshot", "--web.snapshot-cmdline"}, []string{tl.initprog, "none", secret}},
	} {
		addr, log := startServe(t, tl.sigview, append([]string{"--listen", "127.0.0.1:0", "--interval", "1s"}, c.flags...)...)
		base := "http://" + addr
		if scrape := waitScan(t, base, ns); strings.Contains(scrape, "hunter2") {
			t.Errorf("serve %v: /metrics carries the init's argument %s", c.flags, secret)
		}
		code, body, err := httpGet(base + "/api/v1/snapshot")
		if err != nil {
			t.Fatal(err)
		}
		_, landing, _ := httpGet(base + "/")
		if c.want == nil {
			if code != 404 || string(body) != metrics.SnapshotDisabled {
				t.Errorf("serve %v: /api/v1/snapshot = %d %q; want 404 %q", c.flags, code, body, metrics.SnapshotDisabled)
			}
			if strings.Contains(string(landing), "/api/v1/snapshot") {
				t.Errorf("serve %v: the landing page names the disabled /api/v1/snapshot:\n%s", c.flags, landing)
			}
			continue
		}
		if code != 200 {
			t.Fatalf("serve %v: /api/v1/snapshot = %d %s; log:\n%s", c.flags, code, body, log.String())
		}
		var doc struct {
			Namespaces []struct {
				Inode *uint64
				Init  *struct{ Cmdline []string }
			}
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range doc.Namespaces {
			if n.Inode != nil && strconv.FormatUint(*n.Inode, 10) == ns && n.Init != nil {
				got = n.Init.Cmdline
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("serve %v: the init's cmdline in the snapshot = %q; want %q", c.flags, got, c.want)
		}
		if has := strings.Contains(string(body), "hunter2"); has != (len(c.want) > 1) {
			t.Errorf("serve %v: the snapshot holds the argument %s: %v; want %v", c.flags, secret, has, len(c.want) > 1)
		}
		if !strings.Contains(string(landing), `href="/api/v1/snapshot"`) {
			t.Errorf("serve %v: the landing page does not link /api/v1/snapshot:\n%s", c.flags, landing)
		}
	}
}

var pidnsLabelRE = regexp.MustCompile(`[{,]pidns="([^"]*)"`)

// seriesByInit counts a scrape's sigview_ series by pidns label; series
// without one (process-wide) count under "".
func seriesByInit(scrape string) map[string]int {
	out := map[string]int{}
	for _, l := range strings.Split(scrape, "\n") {
		if !strings.HasPrefix(l, "sigview_") {
			continue
		}
		ns := ""
		if m := pidnsLabelRE.FindStringSubmatch(l); m != nil {
			ns = m[1]
		}
		out[ns]++
	}
	return out
}

// Series per namespace init, counted in a real scrape of serve over N new
// namespaces: at most 8 by default (sigview_init_signal_verdict only with
// --collector.verdicts). An init whose name is random letters, new every
// run, is program="other", and its name is in no label.
func TestServeSeriesPerInit(t *testing.T) {
	nstest.NeedNamespaces(t)
	needTool(t, "tini")
	tl := buildTools(t)
	sleep, err := os.ReadFile("/bin/sleep")
	if err != nil {
		t.Fatal(err)
	}
	name := randomLetters(12)
	random := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(random, sleep, 0o755); err != nil {
		t.Fatal(err)
	}
	randomNS := startNSInit(t, random, "1000")
	inits := []string{randomNS,
		startNSInit(t, "sleep", "1000"), startNSInit(t, "sleep", "1000"),
		startNSInit(t, "tini", "--", "sleep", "1000"), startNSInit(t, "sh", "-c", "sleep 1000 & wait")}

	for _, c := range []struct {
		flags    []string
		max      int
		verdicts bool
	}{{nil, 8, false}, {[]string{"--collector.verdicts"}, 8 + 16, true}} {
		addr, _ := startServe(t, tl.sigview, append([]string{"--listen", "127.0.0.1:0", "--interval", "1s"}, c.flags...)...)
		scrape := waitScan(t, "http://"+addr, inits...)
		counts := seriesByInit(scrape)
		total := 0
		for _, ns := range inits {
			total += counts[ns]
			if counts[ns] > c.max {
				t.Errorf("serve %v: namespace %s has %d sigview_ series; want at most %d", c.flags, ns, counts[ns], c.max)
			}
		}
		all := 0
		for _, l := range strings.Split(scrape, "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				all++
			}
		}
		t.Logf("serve %v: %d namespace inits: %d sigview_ series with their pidns (%.1f per init; by pidns %v); %d sigview_ series without pidns; %d series in the whole scrape (Go and process collectors included) over %d namespaces",
			c.flags, len(inits), total, float64(total)/float64(len(inits)), counts, counts[""], all, len(counts)-1)
		if has := strings.Contains(scrape, "\nsigview_init_signal_verdict{"); has != c.verdicts {
			t.Errorf("serve %v: sigview_init_signal_verdict exported: %v; want %v", c.flags, has, c.verdicts)
		}
		want := fmt.Sprintf(`pidns="%s",pod="",pod_namespace="",program="other",runtime=""}`, randomNS)
		if !strings.Contains(scrape, want) {
			t.Errorf("serve %v: no series of the init named %s with program=\"other\" (want …%s)", c.flags, name, want)
		}
		if strings.Contains(scrape, name) {
			t.Errorf("serve %v: the init's own name %s reached the scrape", c.flags, name)
		}
	}
}
