//go:build !linux

package nsutil

// IsProcFS reports whether dir is a real procfs mount: there is none
// outside Linux.
func IsProcFS(dir string) bool { return false }
