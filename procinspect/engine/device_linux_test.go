package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDeviceNodeNeverOpened: a device node where a regular file is expected
// (a store inside a container, whose root may mknod) is refused without
// being opened. /dev/tty's node (5,0) shows it: opening it fails with ENXIO
// ("no such device or address") in a process with no controlling terminal,
// so that error means the driver ran.
func TestDeviceNodeNeverOpened(t *testing.T) {
	root := t.TempDir()
	if err := unix.Mknod(filepath.Join(root, "tty"), unix.S_IFCHR|0o644, int(unix.Mkdev(5, 0))); err != nil {
		t.Fatalf("mknod (the test runs as root): %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, "plain"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := place{Root: root, Path: "/tty"}.read()
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("reading a character device node: %v; want refused as not a regular file, unopened", err)
	}
	if b, err := (place{Root: root, Path: "/plain"}).read(); err != nil || string(b) != "ok" {
		t.Errorf("a regular file: %q, %v", b, err)
	}
}
