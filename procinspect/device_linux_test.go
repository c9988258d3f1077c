package procinspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDeviceNodeNeverOpened: a device node at a path a container controls
// (its /etc/inittab, a supervisord config, an s6 service file) is refused
// without being opened: docker grants CAP_MKNOD, and opening some nodes has
// effects (/dev/watchdog can reboot the host). /dev/tty's node (5,0) shows
// it: its open fails with ENXIO with no controlling terminal, so that error
// would mean the driver ran.
func TestDeviceNodeNeverOpened(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(root, "etc", "inittab"), unix.S_IFCHR|0o644, int(unix.Mkdev(5, 0))); err != nil {
		t.Fatalf("mknod (the test runs as root): %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "plain"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := readInRoot(root, "/etc/inittab", 1<<16)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("reading a character device node: %v; want refused as not a regular file, unopened", err)
	}
	if b, err := readInRoot(root, "/etc/plain", 1<<16); err != nil || string(b) != "ok" {
		t.Errorf("a regular file: %q, %v", b, err)
	}
}
