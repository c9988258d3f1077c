package procinspect_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestRescanSeesNewSignalfd: the live UI rescans with Scanner.Prev. An init
// that blocks SIGTERM (queued: nobody reads it) and then opens a signalfd
// for it changes nothing in its status file; the next rescan must still
// see the reader (consumed), not keep the previous reading.
func TestRescanSeesNewSignalfd(t *testing.T) {
	nstest.NeedNamespaces(t)
	c := spawn(t, buildInits(t).initprog, true, "block-then-signalfd")
	sc := procinspect.Scanner{Root: "/proc"}
	first, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if pr := predict.Predict(first.Process(c.pid), procinspect.SIGTERM, predict.Host, nil); pr.Outcome != predict.Queued {
		t.Fatalf("before the signalfd: %s/%s (%s); want queued", pr.Verdict, pr.Outcome, pr.Reason)
	}
	before, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.pid), "status"))
	// The test's own child: SIGUSR1 makes it open the signalfd.
	if err := c.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); !hasSignalfd(c.pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the init opened no signalfd within 5 s")
		}
	}
	after, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.pid), "status"))
	t.Logf("status file unchanged but for counters: %v", sameSigLines(before, after))
	sc.Prev = first
	again, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if pr := predict.Predict(again.Process(c.pid), procinspect.SIGTERM, predict.Host, nil); pr.Outcome != predict.Consumed {
		t.Errorf("rescan after the signalfd: %s/%s (%s); want consumed", pr.Verdict, pr.Outcome, pr.Reason)
	}
}

func hasSignalfd(pid int) bool {
	fds, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "fd", "*"))
	for _, fd := range fds {
		if l, _ := os.Readlink(fd); l == "anon_inode:[signalfd]" {
			return true
		}
	}
	return false
}

// sameSigLines reports whether the Sig*, State and Threads lines of two
// status files are equal: what the old reuse compared.
func sameSigLines(a, b []byte) bool {
	pick := func(s []byte) string {
		var out []byte
		for _, l := range bytes.Split(s, []byte("\n")) {
			for _, k := range []string{"State:", "Threads:", "SigPnd:", "ShdPnd:", "SigBlk:", "SigIgn:", "SigCgt:", "TracerPid:"} {
				if len(l) >= len(k) && string(l[:len(k)]) == k {
					out = append(append(out, l...), '\n')
				}
			}
		}
		return string(out)
	}
	return pick(a) == pick(b)
}
