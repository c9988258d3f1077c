package enginetest

import (
	"archive/tar"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/sigview/sigview/internal/testenv"
)

// Image is the name the test image is imported as.
const Image = "localhost/sigview-test:1"

// rootfsBins are the programs in the test image, each with its shared
// libraries. Python is left out: a small init that ends on SIGINT is
// bash -c 'trap "exit 130" INT; sleep 1000 & wait'.
var rootfsBins = []string{"/bin/sh", "/bin/bash", "/bin/sleep", "/usr/bin/env", "/bin/true", "/usr/bin/tini-static", "/usr/bin/dumb-init"}

var (
	rootfsOnce sync.Once
	rootfsPath string
	rootfsErr  error
)

// Main runs a test binary's tests and removes the image tarball after
// them: call it from TestMain.
func Main(m *testing.M) int {
	defer testenv.PrivateCache()()
	code := m.Run()
	RemoveRootfs()
	return code
}

// RemoveRootfs removes the image tarball's directory, if this test binary
// built one: every TestMain of a package that builds the image calls it
// (cmd/sigview's left one in /tmp per run).
func RemoveRootfs() {
	for _, p := range []string{rootfsPath, systemdPath, busyboxPath} {
		if p != "" {
			os.RemoveAll(filepath.Dir(p))
		}
	}
}

// Rootfs returns a root filesystem tarball made from the host's binaries,
// built once per test binary run.
func Rootfs() (string, error) {
	rootfsOnce.Do(func() { rootfsPath, rootfsErr = buildRootfs() })
	return rootfsPath, rootfsErr
}

var libRE = regexp.MustCompile(`(/[^ ]+\.so[^ ]*)`)

func buildRootfs() (path string, err error) {
	dir, err := os.MkdirTemp("", "sigview-rootfs-")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	files := map[string]bool{}
	for _, b := range rootfsBins {
		if _, err := os.Stat(b); err != nil {
			return "", fmt.Errorf("the test image needs %s (Debian packages tini, dumb-init): %w", b, err)
		}
		files[b] = true
		out, _ := exec.Command("ldd", b).Output() // "not a dynamic executable" fails
		for _, m := range libRE.FindAllString(string(out), -1) {
			files[m] = true
		}
	}
	// A static Go init (procinspect's real-kernel test program), built
	// here: it shows how a Go program as PID 1 meets its stop signal.
	src := map[string]string{} // name in the image -> file on the host
	goinit := filepath.Join(dir, "goinit")
	build := exec.Command("go", "build", "-o", goinit, "../../procinspect/testdata/goinit")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build goinit: %v: %s", err, out)
	}
	files["/goinit"], src["/goinit"] = true, goinit
	p := filepath.Join(dir, "rootfs.tar")
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	tw := tar.NewWriter(f)
	dirs := map[string]bool{}
	for name := range files {
		from := name
		if s, ok := src[name]; ok {
			from = s
		}
		real, err := filepath.EvalSymlinks(from)
		if err != nil {
			return "", err
		}
		b, err := os.ReadFile(real)
		if err != nil {
			return "", err
		}
		for d := filepath.Dir(name); d != "/" && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
		if err := tw.WriteHeader(&tar.Header{Name: name[1:], Mode: 0o755, Size: int64(len(b))}); err != nil {
			return "", err
		}
		if _, err := tw.Write(b); err != nil {
			return "", err
		}
	}
	for d := range dirs {
		if err := tw.WriteHeader(&tar.Header{Name: d[1:] + "/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			return "", err
		}
	}
	// Engines bind-mount over these.
	for _, d := range []string{"proc/", "sys/", "dev/", "etc/", "tmp/", "run/"} {
		if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	return p, f.Close()
}
