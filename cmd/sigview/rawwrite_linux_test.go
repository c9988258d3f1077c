package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// blockingPipe is a pipe in blocking mode (os.Pipe's are non-blocking).
func blockingPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, w = os.NewFile(uintptr(p[0]), "r"), os.NewFile(uintptr(p[1]), "w")
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// TestRawStdout: a blocking file is written with raw writes, whole (1 MiB
// through a 64 KiB pipe: writes that block and resume); anything else is
// left to its own Write; a closed pipe gives the error os.File gives.
//
// The pipe is read by another process (cat): a raw write that blocks holds
// its P, and a garbage collection waiting for it would stop a reader in
// this process (as it would never stop the reader of watch's output).
func TestRawStdout(t *testing.T) {
	r, w := blockingPipe(t)
	raw, ok := rawStdout(w).(rawWriter)
	if !ok {
		t.Fatalf("rawStdout(a blocking pipe) = %T, want rawWriter", rawStdout(w))
	}
	out := filepath.Join(t.TempDir(), "out")
	of, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer of.Close()
	cat := exec.Command("cat")
	cat.Stdin, cat.Stdout = r, of
	if err := cat.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	if n, err := raw.Write(want); n != len(want) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(want))
	}
	w.Close()
	if err := cat.Wait(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.Equal(b, want) {
		t.Fatalf("read %d bytes (%v), not the %d written", len(b), err, len(want))
	}

	nr, nw, err := os.Pipe() // non-blocking
	if err != nil {
		t.Fatal(err)
	}
	defer nr.Close()
	defer nw.Close()
	if got := rawStdout(nw); got != io.Writer(nw) {
		t.Errorf("rawStdout(a non-blocking pipe) = %T, want the file itself", got)
	}
	var buf bytes.Buffer
	if got := rawStdout(&buf); got != io.Writer(&buf) {
		t.Errorf("rawStdout(a buffer) = %T, want the buffer itself", got)
	}

	r2, w2 := blockingPipe(t)
	r2.Close()
	raw2 := rawStdout(w2)
	if _, err := raw2.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Write to a pipe with no reader: %v, want EPIPE", err)
	}
}
