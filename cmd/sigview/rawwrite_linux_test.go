package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

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
	raw, ok := rawStdout(w).(*rawWriter)
	if !ok {
		t.Fatalf("rawStdout(a blocking pipe) = %T, want *rawWriter", rawStdout(w))
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

// slowRead starts a reader of r (another process: python3) that takes 512
// bytes at a time, pausing between reads, into a file; wait returns what
// it read.
func slowRead(t *testing.T, r *os.File) (wait func() []byte) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	of, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", `import os, sys, time
while True:
    b = os.read(0, 512)
    if not b:
        break
    sys.stdout.buffer.write(b)
    time.sleep(0.0005)
`)
	cmd.Stdin, cmd.Stdout = r, of
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	of.Close()
	r.Close()
	return func() []byte {
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// TestRawStdoutSlowReader: through a one-page pipe read 512 bytes at a
// time, a write is many raw writes with waits between (the pipe full):
// every byte arrives, in order. With the descriptor made non-blocking
// behind the writer's back (another process sharing it), EAGAIN is waited
// out, not an error.
func TestRawStdoutSlowReader(t *testing.T) {
	for _, nonblock := range []bool{false, true} {
		r, w := blockingPipe(t)
		if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 4096); err != nil {
			t.Fatal(err)
		}
		raw, ok := rawStdout(w).(*rawWriter)
		if !ok {
			t.Fatalf("rawStdout(a blocking pipe) = %T, want *rawWriter", rawStdout(w))
		}
		if nonblock {
			if err := unix.SetNonblock(int(w.Fd()), true); err != nil {
				t.Fatal(err)
			}
		}
		wait := slowRead(t, r)
		want := make([]byte, 100<<10)
		for i := range want {
			want[i] = byte(i % 251)
		}
		if n, err := raw.Write(want); n != len(want) || err != nil {
			t.Errorf("non-blocking %v: Write = %d, %v; want %d, nil", nonblock, n, err, len(want))
		}
		w.Close()
		if got := wait(); !bytes.Equal(got, want) {
			t.Errorf("non-blocking %v: read %d bytes, not the %d written", nonblock, len(got), len(want))
		}
	}
}

// TestRawStdoutDeadline: a write to a pipe nobody reads waits until the
// write deadline and then says so (os.ErrDeadlineExceeded), with what it
// wrote; set while it waits, the deadline ends the wait too.
func TestRawStdoutDeadline(t *testing.T) {
	_, w := blockingPipe(t)
	raw := rawStdout(w).(*rawWriter)
	b := make([]byte, 1<<20) // more than a pipe holds
	raw.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	start := time.Now()
	n, err := raw.Write(b)
	if !errors.Is(err, os.ErrDeadlineExceeded) || n <= 0 || n >= len(b) {
		t.Errorf("Write = %d, %v; want part of %d, os.ErrDeadlineExceeded", n, err, len(b))
	}
	if took := time.Since(start); took < 100*time.Millisecond || took > 5*time.Second {
		t.Errorf("Write returned after %v, deadline 100 ms", took)
	}
	raw.SetWriteDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := raw.Write(b)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Write to a full pipe returned without a deadline: %v", err)
	default:
	}
	raw.SetWriteDeadline(time.Now())
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Write after the deadline was set: %v, want os.ErrDeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a deadline set during a wait did not end it")
	}
}

// TestRawStdoutKinds: raw writes are made only to a pipe or a regular file
// in blocking mode, where a descriptor that polls writable takes up to
// rawChunk bytes without blocking; a terminal (a pty's slave) and a socket
// in blocking mode are left to os.File's Write, since a raw write there
// could block holding watch's one P.
func TestRawStdoutKinds(t *testing.T) {
	_, pw := blockingPipe(t)
	if got, ok := rawStdout(pw).(*rawWriter); !ok || !got.raw {
		t.Errorf("rawStdout(a blocking pipe) = %#v, want a raw *rawWriter", rawStdout(pw))
	}

	path := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, ok := rawStdout(f).(*rawWriter)
	if !ok || !raw.raw {
		t.Errorf("rawStdout(a regular file) = %T, want *rawWriter", rawStdout(f))
	} else {
		want := bytes.Repeat([]byte("0123456789abcdef"), 1<<12) // 64 KiB: several chunks
		if n, err := raw.Write(want); n != len(want) || err != nil {
			t.Errorf("Write to a regular file = %d, %v; want %d, nil", n, err, len(want))
		}
		if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, want) {
			t.Errorf("regular file holds %d bytes (%v), not the %d written", len(b), err, len(want))
		}
	}

	// A pty's slave, opened in blocking mode (os.OpenFile would make it
	// non-blocking, which rawStdout refuses anyway).
	mfd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(mfd)
	pn, err := unix.IoctlGetInt(mfd, unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	sfd, err := unix.Open(fmt.Sprintf("/dev/pts/%d", pn), unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	pts := os.NewFile(uintptr(sfd), "pts")
	defer pts.Close()
	if fl, err := unix.FcntlInt(uintptr(sfd), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Fatalf("pty slave flags %#x, %v: want blocking", fl, err)
	}
	if got, ok := rawStdout(pts).(*rawWriter); !ok || got.raw {
		t.Errorf("rawStdout(a blocking pty slave) = %#v, want a *rawWriter that does not write raw", rawStdout(pts))
	} else {
		// Nobody reads the master: the poll-then-os.File writer ends at
		// the deadline (a watchdog: a write that blocks fails the test).
		got.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		done := make(chan error, 1)
		go func() {
			_, err := got.Write(make([]byte, 1<<20))
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("Write to an unread pty: %v, want os.ErrDeadlineExceeded", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Write to an unread pty did not end 10 s after a 100 ms deadline")
		}
	}

	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	s0, s1 := os.NewFile(uintptr(sp[0]), "s0"), os.NewFile(uintptr(sp[1]), "s1")
	defer s0.Close()
	defer s1.Close()
	if fl, err := unix.FcntlInt(uintptr(sp[0]), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Fatalf("socket flags %#x, %v: want blocking", fl, err)
	}
	if got, ok := rawStdout(s0).(*rawWriter); !ok || got.raw {
		t.Errorf("rawStdout(a blocking socket) = %#v, want a *rawWriter that does not write raw", rawStdout(s0))
	}
}

// TestRawStdoutChunk: a raw write is at most rawChunk (PIPE_BUF) bytes, the
// most a pipe that polls writable is sure to take without blocking. The
// pipe has two pages, one filled, and no reader: polled writable, it takes
// one page; a larger write would take it and then block for good, past
// any deadline (a watchdog fails the test instead of hanging it; the
// blocked write is ended by closing the read end). Without the cap the
// write blocks (TestRawStdoutChunk fails); TestWatchBlockedStdout passes
// without it when a signal interrupts the write after its first page.
func TestRawStdoutChunk(t *testing.T) {
	r, w := blockingPipe(t)
	if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 2*4096); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Write(make([]byte, 4096)); n != 4096 || err != nil {
		t.Fatalf("prefill: %d, %v", n, err)
	}
	raw, ok := rawStdout(w).(*rawWriter)
	if !ok || !raw.raw {
		t.Fatalf("rawStdout(a blocking pipe) = %#v, want a raw *rawWriter", rawStdout(w))
	}
	raw.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		// The runtime's preemption signal (SIGURG) would interrupt a
		// blocked raw write after its first page (a partial count), so
		// that an uncapped write passed by luck: blocked on this thread.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var set, old unix.Sigset_t
		set.Val[0] = 1 << (uint(unix.SIGURG) - 1)
		unix.PthreadSigmask(unix.SIG_BLOCK, &set, &old)
		defer unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
		n, err := raw.Write(make([]byte, 1<<20))
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		if res.n != rawChunk || !errors.Is(res.err, os.ErrDeadlineExceeded) {
			t.Errorf("Write = %d, %v; want %d, os.ErrDeadlineExceeded", res.n, res.err, rawChunk)
		}
	case <-time.After(5 * time.Second):
		r.Close() // the blocked write gets EPIPE
		t.Fatal("Write to a pipe with one free page blocked past its 100 ms deadline (a raw write over rawChunk)")
	}
}
