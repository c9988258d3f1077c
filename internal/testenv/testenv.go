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

// ownerEnv marks CacheDirEnv as set by a parent test binary's
// PrivateCache, not by a person running the tests.
const ownerEnv = "SIGVIEW_TEST_PRIVATE_CACHE"

// PrivateCache points the kernel profile's cache at a new temporary
// directory instead of /run/sigview, for this process and every sigview it
// starts; the returned func removes it. It exits the test binary if the
// directory cannot be made: the alternative is writing the host's cache.
//
// A test binary that a test re-runs as a helper (and that may end with
// os.Exit, skipping cleanup) inherits its parent's directory: it makes
// none of its own, and the parent removes the one it made.
func PrivateCache() (cleanup func()) {
	if dir := os.Getenv(CacheDirEnv); dir != "" && os.Getenv(ownerEnv) != "" {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return func() {}
		}
	}
	dir, err := os.MkdirTemp("", "sigview-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(1)
	}
	os.Setenv(ownerEnv, "1")
	if err := os.Setenv(CacheDirEnv, dir); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(1)
	}
	return func() { os.RemoveAll(dir) }
}
