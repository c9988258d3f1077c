package procinspect

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRescanNames: an ordinary process that exec'd keeps, on a rescan, the
// name it was first read with (it is carried over unread), unless the scan
// asks for names (Scanner.Names, set by the UI while a filter is in use):
// then it is read again and shows its new name.
func TestRescanNames(t *testing.T) {
	pid, in := startReader(t, false, "sh", "-c", "read line; exec sleep 1000")
	waitComm := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			st, _ := ReadStatus(fmt.Sprintf("/proc/%d/status", pid))
			if strings.TrimSpace(string(b)) == want && st.State == 'S' {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("PID %d is not %s asleep within 30 s: %q", pid, want, b)
			}
		}
	}
	waitComm("sh")
	first, err := Scanner{Root: "/proc"}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if p := first.Process(pid); p == nil || p.Name() != "sh" {
		t.Fatalf("the first scan read %+v, want sh", p)
	}
	if _, err := in.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	waitComm("sleep")
	name := func(names bool) string {
		t.Helper()
		s, err := Scanner{Root: "/proc", Prev: first, Names: names}.Scan()
		if err != nil {
			t.Fatal(err)
		}
		p := s.Process(pid)
		if p == nil {
			t.Fatalf("PID %d missing from the rescan", pid)
		}
		return p.Name()
	}
	if got := name(false); got != "sh" {
		t.Fatalf("a rescan without names read PID %d afresh (%q): the test shows nothing", pid, got)
	}
	if got := name(true); got != "sleep" {
		t.Errorf("a rescan asking for names: PID %d is %q, want sleep (its exec)", pid, got)
	}
}
