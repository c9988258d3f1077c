package procinspect

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Files a scan of the fixture tree reads, each in a process that has it
// read: 5000 (catatonit, a namespace init blocking SIGINT and SIGTERM
// with a signalfd: fd 3, and a forwarding init whose environment is read)
// and 4242 (an unrecognised init: its maps are read for libjvm). comm is
// read by no scan: a FIFO there must stay unread (it guards a future read).
var treeFiles = []struct {
	pid   int
	file  string
	limit int // the bound readOpen's callers give it
}{
	{5000, "status", maxStatus},
	{4242, "stat", maxLine},
	{5000, "cgroup", maxCgroup},
	{5000, "cmdline", maxCmdline},
	{5000, "environ", maxEnviron},
	{5000, "fdinfo/3", maxLine},
	{5000, "task/5000/status", maxStatus},
	{4242, "task/4243/status", maxStatus},
	{4242, "task/4243/wchan", maxLine},
	{4242, "task/4243/syscall", maxLine},
	{4242, "task/4242/schedstat", maxLine},
	{4242, "maps", maxMaps},
	{5000, "comm", maxLine},
}

// scanTree scans root as a --proc tree and fails the test if the scan has
// not ended within a few seconds (an open or read blocked on a FIFO). A
// blocked scan is then let go: each FIFO in fifos is opened for writing
// and closed until the scan returns, so it does not outlive the test.
func scanTree(t *testing.T, root string, fifos ...string) *Snapshot {
	t.Helper()
	type result struct {
		snap *Snapshot
		err  error
	}
	done := make(chan result, 1)
	go func() {
		snap, err := Scanner{Root: root, SelfNS: fxSelfNS}.Scan()
		done <- result{snap, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Scan(%s): %v", root, r.err)
		}
		return r.snap
	case <-time.After(5 * time.Second):
	}
	for {
		for _, f := range fifos {
			// A writer that opens and closes gives a blocked reader EOF.
			if fd, err := syscall.Open(f, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				syscall.Close(fd)
			}
		}
		select {
		case <-done:
			t.Fatalf("Scan(%s) blocked for 5 s on %v (released by opening it for writing)", root, fifos)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// plant replaces root/PID/file (its link, directory or file) with what
// make makes there.
func plant(t *testing.T, root string, pid int, file string, make func(path string) error) string {
	t.Helper()
	path := filepath.Join(root, strconv.Itoa(pid), file)
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := make(path); err != nil {
		t.Fatalf("make %s: %v", path, err)
	}
	return path
}

// refusal is the warning a scan gives for path, "" when there is none.
func refusal(snap *Snapshot, path string) string {
	for _, w := range snap.Warnings {
		if strings.HasPrefix(w, "refused file") && strings.Contains(w, path+":") {
			return w
		}
	}
	return ""
}

// requireRest fails unless every process of the fixture but skip (whose
// status was planted) is in snap: the scan went on past the refused file.
func requireRest(t *testing.T, snap *Snapshot, skip int) {
	t.Helper()
	want, err := Scanner{Root: fxRoot, SelfNS: fxSelfNS}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range want.Processes {
		if p.PID != skip && snap.byPID[p.PID] == nil {
			t.Errorf("PID %d is missing from the scan: it did not go on past the refused file", p.PID)
		}
	}
}

// TestTreeRefusesNonRegular: a FIFO, a socket, a directory or a symlink
// (to a regular file) where a --proc tree should hold a file does not
// block the scan, is refused with a warning naming it and its type, and
// the rest is scanned. On the code before bounded reads a FIFO blocked
// the scan (open(2) without O_NONBLOCK) and the others were read or
// skipped without a word; without O_NOFOLLOW the symlink's target is read.
func TestTreeRefusesNonRegular(t *testing.T) {
	kinds := []struct {
		name, says string
		make       func(string) error
	}{
		{"fifo", "a FIFO", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
		{"socket", "a socket", func(p string) error { return syscall.Mknod(p, syscall.S_IFSOCK|0o644, 0) }},
		{"directory", "a directory", func(p string) error { return os.Mkdir(p, 0o755) }},
		// A symlink to a regular file: only O_NOFOLLOW refuses it (the
		// type check sees the target), so this kind guards that flag.
		{"symlink", "a symlink", func(p string) error {
			if err := os.WriteFile(p+".target", []byte("x\n"), 0o644); err != nil {
				return err
			}
			return os.Symlink(filepath.Base(p)+".target", p)
		}},
	}
	for _, k := range kinds {
		for _, f := range treeFiles {
			t.Run(k.name+"/"+strconv.Itoa(f.pid)+"/"+f.file, func(t *testing.T) {
				root := fxCopy(t)
				path := plant(t, root, f.pid, f.file, k.make)
				var fifos []string
				if k.name == "fifo" {
					fifos = append(fifos, path)
				}
				snap := scanTree(t, root, fifos...)
				w := refusal(snap, path)
				switch {
				case f.file == "comm" && w != "":
					t.Errorf("comm, which no scan reads, was refused: %q", w)
				case f.file == "comm":
				case w == "":
					t.Errorf("no warning refuses %s (%s); warnings:\n%s", path, k.says, strings.Join(snap.Warnings, "\n"))
				case !strings.Contains(w, k.says+", not a regular file: refused"):
					t.Errorf("warning %q does not say %s is %s", w, path, k.says)
				}
				if f.file == "status" {
					requireRest(t, snap, f.pid)
				} else {
					requireRest(t, snap, 0)
				}
			})
		}
	}
}

// TestTreeExeFIFO: an exe link pointing at a FIFO is refused (a Go
// build-information read would open it), and the scan ends.
func TestTreeExeFIFO(t *testing.T) {
	root := fxCopy(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	path := plant(t, root, 4242, "exe", func(p string) error { return os.Symlink(fifo, p) })
	snap := scanTree(t, root, fifo)
	if w := refusal(snap, path); !strings.Contains(w, "a FIFO, not a regular file: refused") {
		t.Errorf("no warning refuses the exe link to a FIFO; warnings:\n%s", strings.Join(snap.Warnings, "\n"))
	}
	if p := snap.byPID[4242]; p == nil || p.Deep == nil || p.Deep.Go.Known {
		t.Errorf("PID 4242's Go flag should be unknown with its exe refused: %+v", p)
	}
}

// TestTreeRefusesOversized: a file larger than its kind's bound is refused
// with a warning naming it and the bound, and the scan goes on. On the
// code before bounded reads only status (and environ, silently) had a
// bound: the others were read whole and parsed.
func TestTreeRefusesOversized(t *testing.T) {
	for _, f := range treeFiles {
		if f.file == "comm" || f.file == "maps" {
			continue // comm is not read; maps: TestTreeMapsLongLine
		}
		t.Run(strconv.Itoa(f.pid)+"/"+f.file, func(t *testing.T) {
			root := fxCopy(t)
			path := filepath.Join(root, strconv.Itoa(f.pid), f.file)
			orig, err := os.ReadFile(path)
			if err != nil {
				orig = []byte("A=b\x00")
			}
			// The file as it was, padded to one byte over the bound.
			big := append(orig, bytes.Repeat([]byte{'\n'}, f.limit+1-len(orig))...)
			if err := os.WriteFile(path, big, 0o644); err != nil {
				t.Fatal(err)
			}
			snap := scanTree(t, root)
			want := map[int]string{maxStatus: "1 MiB", maxLine: "64 KiB", maxCmdline: "6 MiB", maxEnviron: "256 KiB"}[f.limit]
			want = "larger than sigview reads for this file (" + want + "): refused"
			if w := refusal(snap, path); !strings.Contains(w, want) {
				t.Errorf("no warning refuses %s as %s; warnings:\n%s", path, want, strings.Join(snap.Warnings, "\n"))
			}
			if f.file == "status" {
				requireRest(t, snap, f.pid)
			} else {
				requireRest(t, snap, 0)
			}
		})
	}
}

// TestTreeMapsLongLine: a maps line longer than any kernel's (a 4 KiB path
// and an address range) is refused, not taken as "no libjvm": on the code
// before, readJVM's scanner error made it unknown without a warning.
func TestTreeMapsLongLine(t *testing.T) {
	root := fxCopy(t)
	path := plant(t, root, 4242, "maps", func(p string) error {
		return os.WriteFile(p, append(bytes.Repeat([]byte{'x'}, 100<<10), '\n'), 0o644)
	})
	snap := scanTree(t, root)
	if w := refusal(snap, path); !strings.Contains(w, "larger than sigview reads for this file (64 KiB): refused") {
		t.Errorf("no warning refuses the 100 KiB maps line; warnings:\n%s", strings.Join(snap.Warnings, "\n"))
	}
	if p := snap.byPID[4242]; p == nil || p.Deep == nil || p.Deep.JVM.Known {
		t.Errorf("PID 4242's JVM flag should be unknown with its maps refused: %+v", p)
	}
}

// TestTreeSingleReadsRefuse: the reads outside a scan (ReadStatus,
// StartTime, PIDMax) refuse a FIFO instead of blocking on it.
func TestTreeSingleReadsRefuse(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"7/status", "7/stat", "sys/kernel/pid_max"} {
		path := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan string, 1)
	go func() {
		var out []string
		if _, err := ReadStatus(filepath.Join(root, "7/status")); !refused(err) {
			out = append(out, fmt.Sprintf("ReadStatus(FIFO) = %v, want refused", err))
		}
		if _, err := StartTime(root, 7); !refused(err) {
			out = append(out, fmt.Sprintf("StartTime(FIFO) = %v, want refused", err))
		}
		if n := PIDMax(root); n != pidMaxLimit {
			out = append(out, fmt.Sprintf("PIDMax(FIFO) = %d, want PID_MAX_LIMIT %d", n, pidMaxLimit))
		}
		done <- strings.Join(out, "\n")
	}()
	select {
	case msg := <-done:
		if msg != "" {
			t.Error(msg)
		}
	case <-time.After(5 * time.Second):
		for _, p := range []string{"7/status", "7/stat", "sys/kernel/pid_max"} {
			if fd, err := syscall.Open(filepath.Join(root, p), syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				syscall.Close(fd)
			}
		}
		t.Fatal("a read of a FIFO blocked for 5 s")
	}
}

// TestLiveScanRefusesNothing: the live /proc, whose files are all the
// kernel's regular files within their bounds, scans without a refusal;
// and a live status read the way a tree's is (ReadStatus: O_PATH, fstat,
// reopen) reads.
func TestLiveScanRefusesNothing(t *testing.T) {
	snap, err := Scanner{}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Live {
		t.Skip("/proc is not a procfs here")
	}
	for _, w := range snap.Warnings {
		if strings.Contains(w, "refused file") || strings.Contains(w, "not a regular file") {
			t.Errorf("live scan warning: %s", w)
		}
	}
	st, err := ReadStatus("/proc/self/status")
	if err != nil || !st.Tgid.Known || st.Tgid.V != os.Getpid() {
		t.Errorf("ReadStatus(/proc/self/status) = Tgid %+v, %v; want %d", st.Tgid, err, os.Getpid())
	}
	if _, err := StartTime("/proc", os.Getpid()); err != nil {
		t.Errorf("StartTime(/proc, self): %v", err)
	}
}

// TestTreeNSFilesFIFO: a FIFO in place of a namespace file that sigview
// opens for an ioctl (ns/user: whose user namespace a container's init is
// in) does not block the scan: in a tree it is opened only when regular.
// On the code before, the open blocked.
func TestTreeNSFilesFIFO(t *testing.T) {
	for _, pid := range []int{5000, 4242} {
		t.Run(strconv.Itoa(pid), func(t *testing.T) {
			root := fxCopy(t)
			path := plant(t, root, pid, "ns/user", func(p string) error { return syscall.Mkfifo(p, 0o644) })
			snap := scanTree(t, root, path)
			if snap.byPID[pid] == nil {
				t.Errorf("PID %d is missing from the scan", pid)
			}
		})
	}
}
