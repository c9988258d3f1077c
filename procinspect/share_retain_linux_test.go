package procinspect

import (
	"os/exec"
	"runtime"
	"testing"
	"time"
	"weak"
)

// TestRescanKeepsNoOldSnapshot: the UI keeps only its last snapshot, and
// the earlier ones must be garbage. A process born before each rescan is
// read in full, carried (a copy owned by the next snapshot) and then
// shared by every later snapshot (share.go): it must not point into the
// snapshot that made it (its namespace group, whose snap is that
// snapshot), or each such snapshot stays reachable from the last.
func TestRescanKeepsNoOldSnapshot(t *testing.T) {
	var sc Scanner
	var weaks []weak.Pointer[Snapshot]
	const n = 10
	for range n {
		cmd := exec.Command("sleep", "1000")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		time.Sleep(20 * time.Millisecond) // exec'd
		s, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		weaks = append(weaks, weak.Make(s))
		sc.Prev = s
	}
	for range 5 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	alive := 0
	for i, w := range weaks[:n-1] {
		if w.Value() != nil {
			alive++
			t.Logf("snapshot %d still reachable", i)
		}
	}
	runtime.KeepAlive(sc.Prev)
	if alive > 0 {
		t.Errorf("%d of the %d earlier snapshots are still reachable from the last one", alive, n-1)
	}
}
