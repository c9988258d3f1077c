// Package nsutil identifies PID namespaces: their identity (the device and
// inode of /proc/PID/ns/pid), their parent (the NS_GET_PARENT ioctl,
// ioctl_ns(2)), and whether a namespace is the kernel's initial one.
//
// It works on a live procfs, where identities come from stat(2) and the
// ioctls are available, and on a plain directory tree of the same shape
// (a test fixture, or a copy), where ns/pid is a dangling symlink whose
// target "pid:[INODE]" is parsed and the device is 0.
//
// It sends no signal (the pidfd handles that do are in procinspect/act);
// naming a process's container from its cgroup path is in procinspect/engine,
// next to what the engine's files say about that container.
package nsutil
