// Package testenv keeps tests from touching the host: a test package that
// runs sigview, or whose code may cache the kernel profile, calls
// PrivateCache from its TestMain.
package testenv

import (
	"fmt"
	"os"
)

// CacheDirEnv is procinspect/probe's CacheDirEnv, named again so that
// tests need not import the probe to set it.
const CacheDirEnv = "SIGVIEW_CACHE_DIR"

// PrivateCache points the kernel profile's cache at a new temporary
// directory instead of /run/sigview, for this process and every sigview it
// starts; the returned func removes it. It exits the test binary if the
// directory cannot be made: the alternative is writing the host's cache.
func PrivateCache() (cleanup func()) {
	dir, err := os.MkdirTemp("", "sigview-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(1)
	}
	if err := os.Setenv(CacheDirEnv, dir); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(1)
	}
	return func() { os.RemoveAll(dir) }
}
