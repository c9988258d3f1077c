package enginetest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWatchDockerStop is `sigview watch` over a real `docker stop` (a
// private dockerd) of a container whose init ignores SIGTERM (sleep as PID
// 1, no handler): the SIGTERM the engine sends from the host is dropped at
// the init, as predicted; the SIGKILL after the timeout is delivered, fatal,
// and the container exits 137. Each names its sender as the kernel saw it.
func TestWatchDockerStop(t *testing.T) {
	d := StartDocker(t)
	bin := filepath.Join(t.TempDir(), "sigview")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/sigview").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	in := d.Run(t, "watch-sleep", nil, "sleep", "1000")
	var st syscall.Stat_t
	if err := syscall.Stat(fmt.Sprintf("/proc/%d/ns/pid", in.Pid), &st); err != nil {
		t.Fatal(err)
	}
	watch := exec.Command(bin, "watch", "--json", "pidns:"+strconv.FormatUint(st.Ino, 10))
	plain := exec.Command(bin, "watch", "pidns:"+strconv.FormatUint(st.Ino, 10))
	var plainOut strings.Builder
	plain.Stdout = &plainOut
	out, _ := watch.StdoutPipe()
	errp, _ := watch.StderrPipe()
	perr, _ := plain.StderrPipe()
	for _, c := range []*exec.Cmd{watch, plain} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, c := range []*exec.Cmd{watch, plain} {
			c.Process.Signal(syscall.SIGINT)
			c.Wait()
		}
	}()
	for _, r := range []*bufio.Reader{bufio.NewReader(errp), bufio.NewReader(perr)} {
		if line, err := r.ReadString('\n'); err != nil || !strings.Contains(line, "watching") {
			t.Fatalf("watch did not start: %q %v", line, err)
		}
	}
	start := time.Now()
	d.Stop(t, "watch-sleep", stopTimeout)
	took := time.Since(start)
	lines := make(chan map[string]any, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				lines <- m
			}
		}
		close(lines)
	}()
	var term, kill map[string]any
	fates := map[float64]map[string]any{}
	deadline := time.After(10 * time.Second)
	for term == nil || kill == nil || fates[kill["id"].(float64)] == nil {
		select {
		case m, ok := <-lines:
			if !ok {
				t.Fatal("watch ended")
			}
			b, _ := json.Marshal(m)
			t.Logf("%s", b)
			switch {
			case m["update"] == nil && m["signal"] == "SIGTERM":
				term = m
			case m["update"] == nil && m["signal"] == "SIGKILL":
				kill = m
			case m["update"] == true && m["fate"] != nil:
				fates[m["id"].(float64)] = m
			}
		case <-deadline:
			t.Fatalf("no SIGTERM and SIGKILL events with the fate; term %v kill %v", term, kill)
		}
	}
	time.Sleep(300 * time.Millisecond)
	plain.Process.Signal(syscall.SIGINT)
	plain.Wait()
	t.Logf("docker stop -t %d took %s; sigview watch printed:\n%s", stopTimeout, took.Round(time.Millisecond), plainOut.String())
	sender := func(m map[string]any, k string) any { return m["sender"].(map[string]any)[k] }
	if term["result"] != "ignored" || sender(term, "from") != "host" || term["agrees"] != true {
		t.Errorf("docker stop's SIGTERM: %v", term)
	}
	if kill["result"] != "delivered" || sender(kill, "from") != "host" {
		t.Errorf("docker stop's SIGKILL: %v", kill)
	}
	f := fates[kill["id"].(float64)]["fate"].(map[string]any)
	if f["state"] != "exited" || f["exit_code"] != float64(137) {
		t.Errorf("fate after SIGKILL: %v", f)
	}
	tt, _ := time.Parse(time.RFC3339Nano, term["time"].(string))
	kt, _ := time.Parse(time.RFC3339Nano, kill["time"].(string))
	if gap := kt.Sub(tt); gap < stopTimeout*time.Second-100*time.Millisecond {
		t.Errorf("SIGKILL %s after SIGTERM; docker stop -t %d waits %d s", gap, stopTimeout, stopTimeout)
	}
	for _, m := range []map[string]any{term, kill} {
		if c, _ := m["target"].(map[string]any)["container"].(string); c != "watch-sleep" {
			t.Errorf("the target's container is %q, want watch-sleep", c)
		}
	}
}
