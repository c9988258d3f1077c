package probe

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/sigview/sigview/procinspect"
)

// cacheVersion changes when the rules or the file's shape change, so an
// older sigview's file is measured again rather than misread.
const cacheVersion = 1

// cacheName is the profile's file in the cache directory.
const cacheName = "kernel-profile.json"

// Options say where the profile is cached.
type Options struct {
	// CacheDir is the directory of the cache file. Empty picks the default:
	// /run/sigview for root, $XDG_RUNTIME_DIR/sigview for other users, and
	// no cache when neither applies.
	CacheDir string
}

// CacheDirEnv names the environment variable that overrides where the
// profile is cached.
const CacheDirEnv = "SIGVIEW_CACHE_DIR"

// cached is the cache file.
type cached struct {
	Version int                 `json:"version"`
	Kernel  *procinspect.Kernel `json:"kernel"`
}

// DefaultCacheDir is where the profile is cached: $SIGVIEW_CACHE_DIR when
// it is set (tests point it at a temporary directory, so that they leave
// the host's cache alone), else a root-owned runtime directory for root,
// the user's XDG runtime directory otherwise ("" when there is none). Both
// are emptied at boot.
func DefaultCacheDir() string {
	if d := os.Getenv(CacheDirEnv); d != "" {
		return d
	}
	if os.Geteuid() == 0 {
		return "/run/sigview"
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "sigview")
	}
	return ""
}

// Load returns the profile of the running kernel: the cached one when it
// was measured in this boot of this kernel build (same boot_id, uname -r
// and uname -v), otherwise a new measurement, which it then caches. A
// cache that cannot be read or written is skipped, never fatal.
func Load(opts Options) *procinspect.Kernel {
	dir := opts.CacheDir
	if dir == "" {
		dir = DefaultCacheDir()
	}
	now := identity()
	if dir != "" {
		if k, err := readCache(filepath.Join(dir, cacheName)); err == nil && sameKernel(k, now) {
			k.Source = "cache"
			return k
		}
	}
	k := Measure()
	if dir != "" && measuredAll(k) {
		writeCache(dir, k) // best effort: the next run measures again
	}
	return k
}

// measuredAll reports whether every rule got an answer; a partial
// measurement (a helper that was slow under load) is not cached.
func measuredAll(k *procinspect.Kernel) bool {
	for _, r := range k.Rules {
		if !r.Value.Known {
			return false
		}
	}
	return len(k.Rules) > 0
}

func sameKernel(a, b *procinspect.Kernel) bool {
	return a.BootID != "" && a.BootID == b.BootID && a.Release == b.Release && a.Version == b.Version
}

// readCache reads a cache file, trusting it only when it and its directory
// belong to the current user (or root) and nobody else can write them.
func readCache(path string) (*procinspect.Kernel, error) {
	for _, p := range []string{filepath.Dir(path), path} {
		if err := trusted(p); err != nil {
			return nil, err
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c cached
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if c.Version != cacheVersion || c.Kernel == nil {
		return nil, fmt.Errorf("%s: cache version %d, want %d", path, c.Version, cacheVersion)
	}
	return c.Kernel, nil
}

// trusted checks that p is not a symbolic link, belongs to the current
// user or root, and is not writable by group or others.
func trusted(p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link", p)
	case !ok:
		return fmt.Errorf("%s: no owner", p)
	case int(st.Uid) != os.Geteuid() && st.Uid != 0:
		return fmt.Errorf("%s belongs to uid %d", p, st.Uid)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s is writable by others (%v)", p, fi.Mode().Perm())
	}
	return nil
}

// writeCache replaces the cache file atomically.
func writeCache(dir string, k *procinspect.Kernel) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := trusted(dir); err != nil {
		return err
	}
	b, err := json.MarshalIndent(cached{Version: cacheVersion, Kernel: k}, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, cacheName+".*")
	if err != nil {
		return err
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(f.Name(), 0o644)); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), filepath.Join(dir, cacheName))
}
