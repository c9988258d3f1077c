package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"golang.org/x/sys/unix"
)

// TestSendFromOwnNamespace runs sigview as in `docker exec c sigview`: in a
// new PID namespace with its own /proc. A send to that namespace's init is
// an inside send by default (SIGKILL is dropped, as predicted), and
// --from host is refused: sigview is not in an ancestor namespace, so the
// ancestor's SIGKILL it would predict cannot happen.
func TestSendFromOwnNamespace(t *testing.T) {
	nstest.NeedNamespaces(t)
	bin := buildTools(t).sigview
	script := `sleep 1000 & kid=$!
sleep 0.3
"$0" send -s KILL --watch 500ms 1; echo "status=$?"
"$0" send --from host -s KILL --watch 500ms 1; echo "status=$?"
kill -9 $kid`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script, bin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("unshare: %v\n%s", err, out.String())
	}
	t.Logf("%s", out.String())
	parts := strings.Split(out.String(), "status=")
	if len(parts) != 3 {
		t.Fatalf("want two sends and their statuses:\n%s", out.String())
	}
	has(t, "the default send", parts[0], "sent SIGKILL from inside; still alive", "as predicted (no, dropped)")
	if !strings.HasPrefix(parts[1], "0\n") {
		t.Errorf("the default send: status %q, want 0", parts[1][:1])
	}
	has(t, "--from host", parts[1], "not sent from the host", "own PID namespace")
	if strings.Contains(parts[1], "sent SIGKILL from host") || !strings.HasPrefix(parts[2], "1") {
		t.Errorf("--from host in sigview's own namespace was not refused with status 1:\n%s", parts[1]+parts[2])
	}
}

// TestSendEndedOnItsOwn: a process that exits by itself during the watch,
// after a signal predicted to be ignored, is not a failed prediction: the
// report says it ended on its own, and send exits 0.
func TestSendEndedOnItsOwn(t *testing.T) {
	nstest.NeedNamespaces(t)
	// It must still run when send has scanned and settled (seconds on a
	// loaded machine), and end within the watch. Its 6 s start only once it
	// has settled and is told to: a plain `sleep 5` ended during send's
	// scan at load 30, as startTarget's settling had used up its time.
	fifo := filepath.Join(t.TempDir(), "cue")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tg := startTarget(t, false, 0, "sh", "-c", `read line <"$0"; exec sleep 6`, fifo)
	if err := os.WriteFile(fifo, []byte("go\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", tg.pid)); string(comm) == "sleep\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PID %d did not exec sleep", tg.pid)
		}
	}
	r := sigview(t, nil, "send", "-s", "WINCH", "--watch", "20s", "--json", strconv.Itoa(tg.pid))
	if r.code != 0 {
		t.Errorf("status %d, want 0: %s%s", r.code, r.stdout, r.stderr)
	}
	has(t, "report", r.stdout, `"prediction_held": null`, "ended on its own (exit status 0), not by SIGWINCH")
	if strings.Contains(r.stdout, "did not hold") {
		t.Errorf("the report blames the prediction:\n%s", r.stdout)
	}
}
