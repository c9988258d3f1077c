package main

// End to end: `sigview serve` over real PID namespaces, scraped by a real
// Prometheus (Debian's prometheus package, which .ci/run installs).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// needTool finds a program the test needs; missing, it fails where CI
// installs it (SIGVIEW_REQUIRE_NS) and skips elsewhere.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("SIGVIEW_REQUIRE_NS") != "" {
		t.Fatalf("%s is not installed (.ci/run installs it)", name)
	}
	t.Skipf("%s is not installed", name)
	return ""
}

// startNSInit runs argv as PID 1 of a new PID namespace and returns the
// namespace's inode in decimal; the init is killed when the test ends.
func startNSInit(t *testing.T, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v in a new PID namespace: %v", argv, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // from the host SIGKILL is forced; the namespace dies with its init
		cmd.Wait()
	})
	link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	ino := strings.TrimSuffix(strings.TrimPrefix(link, "pid:["), "]")
	if ino == link {
		t.Fatalf("ns/pid of %v is %q", argv, link)
	}
	// Settled: it runs its program and has slept for three looks in a row
	// (a tini read before it set up its signals has needs_sigkill 1, and
	// Prometheus keeps that evaluation's alert pending for a while).
	for deadline, calm := time.Now().Add(30*time.Second), 0; calm < 3; time.Sleep(30 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%v (PID %d) did not settle", argv, cmd.Process.Pid)
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid))
		if state, _, _ := procStat(cmd.Process.Pid); state == 'S' && strings.TrimSpace(string(comm)) == commOf(argv[0]) {
			calm++
		} else {
			calm = 0
		}
	}
	return ino
}

// commOf is the command name the kernel gives a program run from path: its
// base name cut to 15 bytes (TASK_COMM_LEN).
func commOf(path string) string {
	b := filepath.Base(path)
	return b[:min(len(b), 15)]
}

// lockedBuffer collects a child's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listeningRE = regexp.MustCompile(`msg="Listening on" address=(\S+)`)

// startServe runs `sigview serve ARGS` and returns the address it listens
// on and its log.
func startServe(t *testing.T, bin string, args ...string) (string, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	log, addr := &lockedBuffer{}, make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(log, sc.Text())
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return a, log
	case <-time.After(30 * time.Second):
		t.Fatalf("sigview serve did not say where it listens; log:\n%s", log.String())
	}
	return "", nil
}

func httpGet(url string) (int, []byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// freePort is a loopback port nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startPrometheus runs Prometheus scraping target every second with the
// alert rules loaded, and returns its address once it is ready.
func startPrometheus(t *testing.T, bin, target, rules string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: sigview
    static_configs:
      - targets: [%q]
`, rules, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	var log lockedBuffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", log.String())
		}
	})
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if code, _, err := httpGet("http://" + addr + "/-/ready"); err == nil && code == 200 {
			return addr
		}
	}
	t.Fatalf("prometheus did not become ready; log:\n%s", log.String())
	return ""
}

// promQuery runs an instant query and returns each series' pidns label and
// value.
func promQuery(t *testing.T, prom, q string) map[string]string {
	t.Helper()
	code, body, err := httpGet("http://" + prom + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil || code != 200 {
		t.Fatalf("query %s: %d %v %s", q, code, err, body)
	}
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: %v %s", q, err, body)
	}
	out := map[string]string{}
	for _, s := range r.Data.Result {
		out[s.Metric["pidns"]] = fmt.Sprint(s.Value[1])
	}
	return out
}

func TestServeScrapedByPrometheus(t *testing.T) {
	nstest.NeedNamespaces(t)
	prom, promtool := needTool(t, "prometheus"), needTool(t, "promtool")
	needTool(t, "tini")
	sigview := buildTools(t).sigview
	sleepNS := startNSInit(t, "sleep", "1000")
	tiniNS := startNSInit(t, "tini", "--", "sleep", "1000")
	addr, log := startServe(t, sigview, "--listen", "127.0.0.1:0", "--interval", "1s")
	rules, err := filepath.Abs("../../deploy/prometheus/rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	promAddr := startPrometheus(t, prom, addr, rules)

	q := fmt.Sprintf(`sigview_stop_needs_sigkill{pidns=~"%s|%s"}`, sleepNS, tiniNS)
	want := map[string]string{sleepNS: "1", tiniNS: "0"}
	var got map[string]string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if got = promQuery(t, promAddr, q); fmt.Sprint(got) == fmt.Sprint(want) {
			break
		}
	}
	t.Logf("Prometheus query %s = %v (sleep's namespace %s, tini's %s)", q, got, sleepNS, tiniNS)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("query %s = %v; want %v (sleep's namespace %s needs SIGKILL, tini's %s does not); serve log:\n%s",
			q, got, want, sleepNS, tiniNS, log.String())
	}
	if got := promQuery(t, promAddr, fmt.Sprintf(`sigview_stop_expected_exit_code{pidns=~"%s|%s"}`, sleepNS, tiniNS)); got[sleepNS] != "137" || got[tiniNS] != "143" {
		t.Errorf("sigview_stop_expected_exit_code = %v; want 137 for sleep's namespace, 143 for tini's", got)
	}

	// Prometheus stores at most 8 sigview_ series per namespace init.
	perInit := fmt.Sprintf(`count by (pidns) ({__name__=~"sigview_.+", pidns=~"%s|%s"})`, sleepNS, tiniNS)
	counts := promQuery(t, promAddr, perInit)
	t.Logf("Prometheus query %s = %v", perInit, counts)
	for _, ns := range []string{sleepNS, tiniNS} {
		if n, err := strconv.Atoi(counts[ns]); err != nil || n < 1 || n > 8 {
			t.Errorf("%s: namespace %s has %q series; want 1 to 8", perInit, ns, counts[ns])
		}
	}

	// The alert rule is loaded and pending for sleep's namespace only.
	var alerts struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string
				State  string
			}
		}
	}
	var pending map[string]string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && (pending[sleepNS] == "" || pending[tiniNS] != ""); time.Sleep(500 * time.Millisecond) {
		_, body, err := httpGet("http://" + promAddr + "/api/v1/alerts")
		if err != nil || json.Unmarshal(body, &alerts) != nil {
			t.Fatalf("/api/v1/alerts: %v %s", err, body)
		}
		pending = map[string]string{}
		for _, a := range alerts.Data.Alerts {
			if a.Labels["alertname"] == "SigviewStopNeedsSIGKILL" {
				pending[a.Labels["pidns"]] = a.State
			}
		}
	}
	if pending[sleepNS] != "pending" || pending[tiniNS] != "" {
		t.Errorf("SigviewStopNeedsSIGKILL states by pidns = %v; want pending for %s only", pending, sleepNS)
	}

	// A scrape passes promtool's lint; show the two namespaces' series.
	code, body, err := httpGet("http://" + addr + "/metrics")
	if err != nil || code != 200 {
		t.Fatalf("scrape: %d %v", code, err)
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, "sigview_") && (strings.Contains(l, sleepNS) || strings.Contains(l, tiniNS)) &&
			(!strings.Contains(l, "verdict=") || strings.HasSuffix(l, " 1")) {
			t.Log(l)
		}
	}
}

// The alert rules pass promtool's checks and their unit tests.
func TestAlertRules(t *testing.T) {
	promtool := needTool(t, "promtool")
	for _, args := range [][]string{{"check", "rules", "rules.yml"}, {"test", "rules", "rules_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "../../deploy/prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
