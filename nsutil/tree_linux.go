package nsutil

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Parent returns the PID namespace above the one process pid lives in, using
// the NS_GET_PARENT ioctl on root/PID/ns/pid (ioctl_ns(2)). It works only on
// a live procfs.
func Parent(root string, pid int, live bool) (NSID, error) {
	if !live {
		return NSID{}, ErrUnsupported
	}
	path := filepath.Join(root, strconv.Itoa(pid), "ns", "pid")
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return NSID{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	pfd, err := unix.IoctlRetInt(fd, unix.NS_GET_PARENT)
	switch {
	case errors.Is(err, unix.EPERM):
		return NSID{}, ErrNoParent
	case errors.Is(err, unix.ENOTTY), errors.Is(err, unix.EINVAL):
		return NSID{}, ErrUnsupported
	case err != nil:
		return NSID{}, fmt.Errorf("NS_GET_PARENT on %s: %w", path, err)
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstat(pfd, &st); err != nil {
		return NSID{}, fmt.Errorf("fstat parent of %s: %w", path, err)
	}
	return NSID{Dev: uint64(st.Dev), Ino: st.Ino}, nil
}
