package engine

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestContainerOfFIFO: a FIFO in place of root/PID/cgroup (a --proc tree)
// is refused as not a regular file instead of blocking the open (as
// os.ReadFile did: the test then fails after 5 s, and the FIFO is opened
// for writing to let the read go).
func TestContainerOfFIFO(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "42", "cgroup")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ContainerOf(root, 42); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("ContainerOf(cgroup is a FIFO) = %v; want refused as not a regular file", err)
		}
	case <-time.After(5 * time.Second):
		for {
			if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				syscall.Close(fd)
			}
			select {
			case <-done:
				t.Fatal("ContainerOf blocked for 5 s on a FIFO")
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}
