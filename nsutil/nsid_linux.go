package nsutil

import "golang.org/x/sys/unix"

// IsProcFS reports whether dir is a real procfs mount (PROC_SUPER_MAGIC),
// on which stat and the namespace ioctls work.
func IsProcFS(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false
	}
	return st.Type == unix.PROC_SUPER_MAGIC
}
