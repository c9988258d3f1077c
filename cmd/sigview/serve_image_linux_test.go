package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/enginetest"
	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/internal/testenv"
)

// The repository's Dockerfile builds with a real (private) dockerd, offline,
// and serve runs in the image, read-only and with two capabilities, over
// the host's /proc bind-mounted into it: it sees a namespace made on the
// host and predicts its stop.
func TestServeImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an image and runs a private dockerd")
	}
	nstest.NeedNamespaces(t)
	d := enginetest.StartDocker(t)
	docker := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("docker", append([]string{"-H", "unix://" + d.Sock}, args...)...)
		cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0") // the classic builder: no buildx here
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	ctx := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(ctx, "sigview"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("static build: %v\n%s", err, out)
	}
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		b, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ctx, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	docker("build", "-q", "-t", "sigview-serve-test", ctx)
	t.Logf("docker build took %v", time.Since(start).Round(time.Millisecond))

	// The node's cached kernel profile, as the DaemonSet mounts it: with two
	// capabilities the probe cannot measure, so serve must read the cache.
	// The tests' cache is a temporary directory (testenv), mounted where
	// the DaemonSet mounts the node's /run/sigview.
	if out, err := exec.Command(buildTools(t).sigview, "kernel").CombinedOutput(); err != nil {
		t.Fatalf("sigview kernel: %v\n%s", err, out)
	}
	sleepNS := startNSInit(t, "sleep", "1000")
	addr := freePort(t)
	id := docker("run", "-d", "--network", "host", "--read-only", "--cap-drop", "ALL",
		"--cap-add", "SYS_PTRACE", "--cap-add", "DAC_READ_SEARCH", "-v", "/proc:/host/proc:ro", "-v", os.Getenv(testenv.CacheDirEnv)+":/run/sigview:ro",
		"sigview-serve-test", "serve", "--listen", addr, "--interval", "1s", "--proc", "/host/proc")
	defer docker("rm", "-f", id)
	want := fmt.Sprintf(`pidns="%s",pod="",pod_namespace="",program="other",runtime=""} 1`, sleepNS) // sleep is no program sigview recognises
	var body []byte
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if code, b, err := httpGet("http://" + addr + "/metrics"); err == nil && code == 200 {
			body = b
			if strings.Contains(string(b), "sigview_stop_needs_sigkill{") && strings.Contains(string(b), want) {
				for _, l := range strings.Split(string(b), "\n") {
					if strings.HasPrefix(l, "sigview_kernel_info") && (!strings.Contains(l, `source="cache"`) || strings.Contains(l, "unknown")) {
						t.Errorf("serve in the image did not use the node's cached kernel profile: %s", l)
					}
				}
				return
			}
		}
	}
	logs, _ := exec.Command("docker", "-H", "unix://"+d.Sock, "logs", id).CombinedOutput()
	t.Fatalf("serve in the image never reported sigview_stop_needs_sigkill{…%s; last scrape:\n%s\nlogs:\n%s", want, body, logs)
}
