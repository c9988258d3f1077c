//go:build !linux

package nsutil

// Parent needs the NS_GET_PARENT ioctl, which only Linux has.
func Parent(root string, pid int, live bool) (NSID, error) { return NSID{}, ErrUnsupported }
