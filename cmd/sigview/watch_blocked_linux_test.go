package main

import (
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/internal/nstest"
)

// blockedWatch runs `sigview watch --json -s URG` on a sleep init with its
// stdout a one-page pipe nobody reads, and signals the sleep until watch
// is blocked writing (the pipe full and its buffer too). It returns the
// watch, the pipe's read end and watch's stderr file.
func blockedWatch(t *testing.T) (cmd *exec.Cmd, r *os.File, stderr string, done <-chan syscall.WaitStatus) {
	t.Helper()
	tg := startTarget(t, true, 0, "sleep", "1000")
	r, w := blockingPipe(t)
	if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 4096); err != nil {
		t.Fatal(err)
	}
	stderr = t.TempDir() + "/stderr"
	ef, err := os.Create(stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	cmd = exec.Command(buildTools(t).sigview, "watch", "--json", "-s", "URG", strconv.Itoa(tg.pid))
	cmd.Dir, cmd.Stdout, cmd.Stderr = "/", w, ef
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	ended := make(chan struct{})
	d := make(chan syscall.WaitStatus, 1)
	go func() {
		cmd.Wait()
		d <- cmd.ProcessState.Sys().(syscall.WaitStatus)
		close(ended)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // through Go's pidfd: only the watch this test started
		go io.Copy(io.Discard, r)
		select {
		case <-ended:
		case <-time.After(10 * time.Second):
			t.Errorf("watch (PID %d) did not die after SIGKILL", cmd.Process.Pid)
		}
	})
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(stderr); strings.Contains(string(b), "watching") {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(stderr)
			t.Fatalf("watch did not start watching:\n%s", b)
		}
	}
	// 3,000 events of about 300 bytes: far more than the pipe's page and
	// watch's 64 KiB buffer hold.
	for i := 0; i < 3000; i++ {
		if err := syscall.Kill(tg.pid, syscall.SIGURG); err != nil {
			t.Fatal(err)
		}
		if i%100 == 99 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	// Full: the pipe (one slot: a write that does not fit in its page
	// waits) holds bytes and takes no more for half a second.
	last, same := -1, 0
	for deadline := time.Now().Add(20 * time.Second); same < 25; time.Sleep(20 * time.Millisecond) {
		n, err := unix.IoctlGetInt(int(r.Fd()), unix.TIOCINQ)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 && n == last {
			same++
		} else {
			same = 0
		}
		last = n
		if time.Now().After(deadline) {
			t.Fatalf("the pipe never stayed full after 3,000 signals (%d bytes)", n)
		}
	}
	return cmd, r, stderr, d
}

// TestWatchBlockedStdout: a signal that stops watch while its stdout is
// blocked (a pager that does not read) detaches its BPF programs at once,
// not when the reader reads again (fails when a write holds watch's one
// P), and watch ends within its second of grace with status 1, saying on
// stderr that it dropped what it had not written (fails when the final
// write waits for the reader). A reader that reads again within the grace
// gets everything: no drop, status 0.
func TestWatchBlockedStdout(t *testing.T) {
	nstest.NeedNamespaces(t)
	t.Run("unread", func(t *testing.T) {
		cmd, _, stderr, done := blockedWatch(t)
		stopped := time.Now()
		detaches(t, cmd)
		select {
		case ws := <-done:
			if !ws.Exited() || ws.ExitStatus() != 1 {
				t.Errorf("watch after SIGTERM with output dropped: %v, want exit 1", ws)
			}
			t.Logf("ended %v after SIGTERM", time.Since(stopped).Round(time.Millisecond))
		case <-time.After(10 * time.Second):
			t.Fatal("watch blocked on stdout did not end within 10 s of SIGTERM")
		}
		b, _ := os.ReadFile(stderr)
		has(t, "stderr", string(b), "stdout took nothing for 1s after the stop: dropped what was not written")
	})
	t.Run("read", func(t *testing.T) {
		cmd, r, stderr, done := blockedWatch(t)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte, 1)
		go func() {
			b, _ := io.ReadAll(r)
			got <- b
		}()
		select {
		case ws := <-done:
			if !ws.Exited() || ws.ExitStatus() != 0 {
				t.Errorf("watch after SIGTERM: %v, want exit 0", ws)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("watch did not end after SIGTERM and its stdout read")
		}
		out := <-got
		if len(out) == 0 || out[len(out)-1] != '\n' {
			t.Errorf("read %d bytes, the last line cut", len(out))
		}
		if b, _ := os.ReadFile(stderr); strings.Contains(string(b), "dropped") {
			t.Errorf("dropped output although it was read:\n%s", b)
		}
	})
}

// detaches sends SIGTERM to the watch (its own child) and waits until the
// BPF objects it held are gone, at most 5 s.
func detaches(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	objs := bpfObjects(t, cmd.Process.Pid)
	if len(objs) < 3 {
		t.Fatalf("the blocked watch holds %v, want its programs, links and maps", objs)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var left []string
		for _, o := range objs {
			if bpfExists(t, o) {
				left = append(left, o)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after SIGTERM to a watch blocked on stdout, the kernel still has %v", left)
		}
	}
}
