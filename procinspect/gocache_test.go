package procinspect

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGoOfRemembersOnlyAnswers: an executable that cannot be opened (a
// process that exited between the read of its identity and the read of
// its file) is unknown and not remembered, so the next process running the
// same file is read and known to be Go. Before, the failed read was
// remembered as "not Go" for that file for as long as sigview ran (serve,
// the UI, a test binary's later scans).
func TestGoOfRemembersOnlyAnswers(t *testing.T) {
	self, err := os.Executable() // this test binary: a Go program
	if err != nil {
		t.Fatal(err)
	}
	id, ok := exeIdentity(self)
	if !ok {
		t.Fatalf("no identity for %s", self)
	}
	goCache.Lock()
	delete(goCache.m, id)
	goCache.Unlock()
	if got := goOf(filepath.Join(t.TempDir(), "gone"), id); got.Known {
		t.Fatalf("goOf(an exe that cannot be opened) = %+v, want unknown", got)
	}
	if got := goOf(self, id); !got.Known || !got.V {
		t.Errorf("goOf(%s) after a failed read of the same identity = %+v, want known Go", self, got)
	}
	// And a file that is no Go program is remembered as such.
	sh, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil {
		t.Skip("no /bin/sh")
	}
	shID, ok := exeIdentity(sh)
	if !ok {
		t.Fatal("no identity for /bin/sh")
	}
	if got := goOf(sh, shID); !got.Known || got.V {
		t.Errorf("goOf(%s) = %+v, want known not Go", sh, got)
	}
	goCache.Lock()
	v, cached := goCache.m[shID]
	goCache.Unlock()
	if !cached || v {
		t.Errorf("goCache[%s] = %v, %v; want false, remembered", sh, v, cached)
	}
}
