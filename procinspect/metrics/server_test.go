package metrics

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// 50 scrapes sent while a scan of the real /proc is running all succeed,
// and none of them starts a scan.
func TestConcurrentScrapesDuringScan(t *testing.T) {
	src := &Source{Scanner: procinspect.Scanner{Root: "/proc"}}
	var mu sync.Mutex
	scans := 0
	inScan, release := make(chan struct{}), make(chan struct{})
	scan := func() (*Snapshot, error) {
		mu.Lock()
		scans++
		n := scans
		mu.Unlock()
		if n == 2 { // the second scan holds until the scrapes are done
			close(inScan)
			<-release
		}
		return src.Scan()
	}
	srv := NewServer(scan, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	srv.ScanOnce()
	go srv.ScanOnce()
	<-inScan
	var wg sync.WaitGroup
	errs := make(chan string, 50)
	for range 50 {
		wg.Go(func() {
			resp, err := http.Get(hs.URL + "/metrics")
			if err != nil {
				errs <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.Contains(string(b), "\nsigview_processes ") {
				errs <- resp.Status + ": " + string(b[:min(len(b), 200)])
			}
		})
	}
	wg.Wait()
	close(release)
	close(errs)
	for e := range errs {
		t.Errorf("scrape during a scan: %s", e)
	}
	mu.Lock()
	defer mu.Unlock()
	if scans != 2 {
		t.Errorf("%d scans ran; want 2 (a scrape must never scan)", scans)
	}
}

// A scan that fails (the procfs is gone) counts in sigview_scan_errors_total,
// is logged, turns /healthz to 503, and the last good scan is still served.
func TestScanFailureKeepsServing(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "proc")
	if err := os.Symlink("/proc", root); err != nil {
		t.Fatal(err)
	}
	src := &Source{Scanner: procinspect.Scanner{Root: root}, Document: true}
	var log syncBuffer
	srv := NewServer(src.Scan, time.Hour, slog.New(slog.NewTextHandler(&log, nil)), Options{Snapshot: true})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	if code, body := get(t, hs.URL+"/healthz"); code != 503 {
		t.Errorf("/healthz before any scan = %d %q; want 503", code, body)
	}
	srv.ScanOnce()
	if code, body := get(t, hs.URL+"/healthz"); code != 200 {
		t.Fatalf("/healthz after a good scan = %d %q; want 200", code, body)
	}
	if err := os.Remove(root); err != nil {
		t.Fatal(err)
	}
	srv.ScanOnce()
	code, body := get(t, hs.URL+"/metrics")
	if code != 200 || !strings.Contains(body, "\nsigview_scan_errors_total 1\n") || !strings.Contains(body, "\nsigview_processes ") {
		t.Errorf("/metrics after a failed scan = %d:\n%s\nwant 200 with sigview_scan_errors_total 1 and the last good scan", code, body)
	}
	if code, body := get(t, hs.URL+"/healthz"); code != 503 || !strings.Contains(body, root) {
		t.Errorf("/healthz after a failed scan = %d %q; want 503 naming %s", code, body, root)
	}
	if code, body := get(t, hs.URL+"/api/v1/snapshot"); code != 200 || !strings.Contains(body, `"schema_version": 2`) {
		t.Errorf("/api/v1/snapshot after a failed scan = %d; want 200 with the last good document", code)
	}
	if l := log.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "scan failed") || !strings.Contains(l, root) {
		t.Errorf("log = %q; want an error naming %s", l, root)
	}
	if err := os.Symlink("/proc", root); err != nil {
		t.Fatal(err)
	}
	srv.ScanOnce()
	if code, body := get(t, hs.URL+"/healthz"); code != 200 {
		t.Errorf("/healthz after the procfs came back = %d %q; want 200", code, body)
	}
}

// /api/v1/snapshot is off by default: 404 saying how to enable it, and the
// landing page does not link it; with Options.Snapshot it is served and
// linked.
func TestSnapshotEndpointOptIn(t *testing.T) {
	for _, on := range []bool{false, true} {
		src := &Source{Scanner: procinspect.Scanner{Root: "/proc"}, Document: on}
		srv := NewServer(src.Scan, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Snapshot: on})
		hs := httptest.NewServer(srv.Handler())
		srv.ScanOnce()
		code, body := get(t, hs.URL+"/api/v1/snapshot")
		_, landing := get(t, hs.URL+"/")
		hs.Close()
		linked := strings.Contains(landing, `href="/api/v1/snapshot"`)
		switch {
		case !on && (code != 404 || body != SnapshotDisabled):
			t.Errorf("/api/v1/snapshot by default = %d %q; want 404 %q", code, body, SnapshotDisabled)
		case !on && linked:
			t.Errorf("the landing page links the disabled /api/v1/snapshot:\n%s", landing)
		case on && (code != 200 || !strings.Contains(body, `"schema_version": 2`)):
			t.Errorf("/api/v1/snapshot with Options.Snapshot = %d; want 200 with the document", code)
		case on && !linked:
			t.Errorf("the landing page does not link /api/v1/snapshot:\n%s", landing)
		}
	}
}

// Serve links no code that sends a signal: the symbol table of a program
// made of Source and Server alone lacks every sender of sigview's, which
// the full sigview binary has.
func TestServeCannotSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two programs")
	}
	dir := t.TempDir()
	serveBin, fullBin := filepath.Join(dir, "servemain"), filepath.Join(dir, "sigview")
	for _, c := range [][]string{{"-o", serveBin, "./testdata/servemain"}, {"-o", fullBin, "../../cmd/sigview"}} {
		if out, err := exec.Command("go", append([]string{"build"}, c...)...).CombinedOutput(); err != nil {
			t.Fatalf("go build %v: %v\n%s", c, err, out)
		}
	}
	senders := []string{
		"github.com/sigview/sigview/procinspect/act.Send",
		"github.com/sigview/sigview/procinspect/act.Try",
		"github.com/sigview/sigview/procinspect/act.(*Handle).Signal",
		"github.com/sigview/sigview/procinspect/act.(*Handle).SignalFromInside",
		"github.com/sigview/sigview/procinspect/act.sendInheritedPidfd",
		"golang.org/x/sys/unix.PidfdSendSignal",
	}
	symbols := func(bin string) map[string]bool {
		out, err := exec.Command("go", "tool", "nm", bin).Output()
		if err != nil {
			t.Fatalf("go tool nm %s: %v", bin, err)
		}
		m := map[string]bool{}
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) >= 3 {
				m[f[len(f)-1]] = true
			}
		}
		return m
	}
	full, serve := symbols(fullBin), symbols(serveBin)
	for _, s := range senders {
		if !full[s] {
			t.Errorf("the full sigview binary has no symbol %s: the test no longer looks for the right names", s)
		}
		if serve[s] {
			t.Errorf("serve links %s, which sends a signal", s)
		}
	}
}
