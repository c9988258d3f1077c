package nsutil

import "errors"

// ErrNoParent is returned by Parent for the initial namespace, and for a
// namespace whose parent lies outside the caller's own namespace (the
// kernel answers EPERM to NS_GET_PARENT in both cases).
var ErrNoParent = errors.New("parent namespace not visible")

// ErrUnsupported is returned when the kernel or the tree does not offer the
// NS_GET_PARENT ioctl (a fixture directory, or ENOTTY from an old kernel).
var ErrUnsupported = errors.New("namespace ioctls not supported here")
