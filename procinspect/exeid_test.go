package procinspect

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestExeIdentityRename: renaming or unlinking a running program's file (a
// package upgrade) keeps its device, inode, size and mtime but changes what
// its exe link reads; the identity a rescan keeps the last path by must
// change too (ctime), or the path read before stands (review, s27).
func TestExeIdentityRename(t *testing.T) {
	d := t.TempDir()
	a, b := filepath.Join(d, "tini"), filepath.Join(d, "tini.dpkg-old")
	if err := os.WriteFile(a, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	before, ok := exeIdentity(a)
	if !ok {
		t.Fatal("no identity")
	}
	time.Sleep(10 * time.Millisecond) // a ctime of its own, even on coarse clocks
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
	after, ok := exeIdentity(b)
	if !ok {
		t.Fatal("no identity after the rename")
	}
	if before.ino != after.ino || before.mtimeNsec != after.mtimeNsec {
		t.Fatalf("the rename changed the inode or mtime (%+v, %+v): the test shows nothing", before, after)
	}
	if before == after {
		t.Errorf("identity unchanged by a rename: %+v", after)
	}
}
