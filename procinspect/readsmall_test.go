package procinspect

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadStatusBounded: a status file larger than maxStatus (a forged one
// in a --proc tree) is refused with an error that says why, before more
// than maxStatus+1 bytes are read; a scan of the tree warns of it and
// leaves the process out; a status just under the limit (a long Groups
// line) is read; and a buffer grown past maxPooled is not kept for the
// pool.
func TestReadStatusBounded(t *testing.T) {
	root := filepath.Join(t.TempDir(), "proc")
	if out, err := exec.Command("cp", "-a", fxRoot, root).CombinedOutput(); err != nil {
		t.Fatalf("cp -a %s: %v: %s", fxRoot, err, out)
	}
	status := filepath.Join(root, "4242", "status")
	orig, err := os.ReadFile(status)
	if err != nil {
		t.Fatal(err)
	}
	groups := func(size int) []byte {
		b := append([]byte("Groups:\t"), bytes.Repeat([]byte("1 "), size/2)...)
		return append(append(b, '\n'), orig...)
	}

	// Just under the limit: read and parsed as before.
	if err := os.WriteFile(status, groups(maxStatus-len(orig)-100), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := ReadStatus(status)
	if err != nil || st.PPid.V != 4200 {
		t.Errorf("ReadStatus of a %d-byte status = PPid %v, %v; want it read", maxStatus-100, st.PPid, err)
	}

	// Over it: refused, with the reason.
	if err := os.WriteFile(status, groups(2*maxStatus), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadStatus(status)
	var tl errTooLarge
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), status+": larger than sigview reads for this file (1 MiB): refused") {
		t.Fatalf("ReadStatus of a %d MiB status = %v; want it refused as larger than sigview reads (1 MiB)", 2*maxStatus>>20, err)
	}
	snap, err := Scanner{Root: root, SelfNS: filepath.Join(root, "1", "ns", "pid")}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if snap.Process(4242) != nil {
		t.Errorf("the scan kept PID 4242, whose status was refused")
	}
	if w := strings.Join(snap.Warnings, "\n"); !strings.Contains(w, "refused file: "+status+": larger than sigview reads for this file (1 MiB): refused") {
		t.Errorf("the scan's warnings do not name the refused status:\n%s", w)
	}
	if snap.Process(4200) == nil {
		t.Errorf("the scan lost PID 4200, whose status is the fixture's")
	}

	// The pool keeps what it may.
	bp := &[]byte{}
	keepBuf(bp, make([]byte, 8192))
	if cap(*bp) != 8192 {
		t.Errorf("keepBuf kept a buffer of %d bytes; want the 8 KiB one", cap(*bp))
	}
	keepBuf(bp, make([]byte, maxPooled+1))
	if cap(*bp) != 8192 {
		t.Errorf("keepBuf kept a buffer of %d bytes; want none over %d", cap(*bp), maxPooled)
	}
}
