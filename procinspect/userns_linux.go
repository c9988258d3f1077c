package procinspect

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// userNSOwner reads the uid that owns the process's user namespace
// (NS_GET_OWNER_UID, Linux 4.11): 0 for the initial one, the user who made
// it for a rootless container's, whatever uid the container's own USER is.
func userNSOwner(pr Proc) (Int, error) {
	fd, err := pr.openNS("ns/user")
	if err != nil {
		return Int{}, err
	}
	defer unix.Close(fd)
	var uid uint32
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(unix.NS_GET_OWNER_UID), uintptr(unsafe.Pointer(&uid))); errno != 0 {
		return Int{}, errno
	}
	return KnownInt(int(uid)), nil
}
