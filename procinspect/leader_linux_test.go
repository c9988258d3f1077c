package procinspect_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestLeaderNotLowestTID: complete_signal offers a process-wide signal to
// the main thread (TID = PID) first, whatever the TIDs of the others. An
// init whose worker got a lower TID than its leader (after a PID wrap) is
// made for real: in a PID namespace A of the test's own (never the host's
// ns_last_pid), A's ns_last_pid gives the init X of a nested namespace B
// the A-PID 501, then 100, so that X's worker, started afterwards, is 101.
// sigview reads A's /proc (as `--proc` of that namespace would), where the
// inversion exists. X's leader waits for SIGTERM in sigwaitinfo and the
// worker does not block it: the kernel hands it to the leader (X exits 0);
// taking the lowest TID as the leader would predict the worker's default
// action instead.
func TestLeaderNotLowestTID(t *testing.T) {
	nstest.NeedNamespaces(t)
	bins := buildInits(t)
	k := kernelProfile(t)
	dir := t.TempDir()
	fifo, out, status := filepath.Join(dir, "go"), filepath.Join(dir, "out"), filepath.Join(dir, "status")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// A's init (sh) forks nothing between its two ns_last_pid writes but
	// X's unshare; the busy loop uses builtins only.
	script := `echo 499 > /proc/sys/kernel/ns_last_pid
unshare --pid --fork "$1" late-worker-sigwait 0<>"$2" >"$3" &
c=
while [ "$c" != initprog ]; do read c < /proc/501/comm 2>/dev/null || c=; done
echo 100 > /proc/sys/kernel/ns_last_pid
echo go > "$2"
wait $!
echo $? > "$4"
`
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--propagation", "private",
		"sh", "-c", script, "sh", bins.initprog, fifo, out, status)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The whole group: A's init (sh) too, whose SIGKILL ends namespace A
	// and everything in it, whatever step failed.
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	waitFor(t, func() bool { b, _ := os.ReadFile(out); return string(b) == "ready\n" }, "X ready")

	sh := childOf(t, cmd.Process.Pid) // A's init
	procA := "/proc/" + strconv.Itoa(sh) + "/root/proc"
	tids := taskDir(t, procA, 501)
	if len(tids) != 2 || tids[1] != 501 || tids[0] >= 501 {
		t.Fatalf("X's threads in A's /proc: %v; want a worker TID below the leader's 501", tids)
	}
	snap, err := procinspect.Scanner{Root: procA, Kernel: k}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p := snap.Process(501)
	if p == nil || p.Deep == nil || len(p.Deep.Threads) != 2 {
		t.Fatalf("X as read through A's /proc: %+v", p)
	}
	if ns := snap.NamespaceOf(p); ns == nil || ns.Init != p {
		t.Fatalf("X is not read as its namespace's init")
	}
	pr := predict.Predict(p, procinspect.SIGTERM, predict.Host, k)
	if pr.Outcome != predict.Consumed {
		t.Errorf("predicted %s/%s (%s); the leader (TID 501) takes SIGTERM in sigwaitinfo: consumed", pr.Verdict, pr.Outcome, pr.Reason)
	}

	// What the kernel does: SIGTERM from the host (an ancestor of B, as A
	// is) to X.
	x := childOf(t, childOf(t, sh))
	if err := syscall.Kill(x, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, err := os.Stat(status); return err == nil }, "X's end")
	time.Sleep(10 * time.Millisecond) // the line is written before the file is closed
	b, _ := os.ReadFile(status)
	if got := strings.TrimSpace(string(b)); got != "0" {
		t.Errorf("X ended with unshare status %s; the leader's sigwaitinfo exits 0", got)
	} else if pr.Outcome != predict.Consumed {
		t.Errorf("the kernel gave SIGTERM to the leader's sigwaitinfo (exit 0); predicted %s", pr.Outcome)
	}
}

// taskDir lists the TIDs of pid in the procfs root, in the order sigview
// reads them (ascending).
func taskDir(t *testing.T, root string, pid int) []int {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(root, strconv.Itoa(pid), "task"))
	if err != nil {
		t.Fatal(err)
	}
	var tids []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, n)
		}
	}
	slices.Sort(tids)
	return tids
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
