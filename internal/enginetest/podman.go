package enginetest

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Podman is podman with private storage (--root, --runroot, --tmpdir) and
// the flags measured to work on the CI machines: cgroupfs, runc (crun
// refuses the hybrid cgroups), vfs storage, the file events backend, and
// explicit rlimits on each container (the default ones are refused).
type Podman struct {
	Dir      string
	Root     string // graph root
	RunRoot  string
	imported bool
	images   map[string]bool // other images imported (importImage)
}

// CreateFlags are added to every podman run.
var CreateFlags = []string{"--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096", "--network", "none"}

// NewPodman prepares podman's private storage and removes it, with every
// container, in t's cleanup.
func NewPodman(t testing.TB) *Podman {
	t.Helper()
	NeedEngines(t, "podman", "runc", "conmon")
	dir, err := os.MkdirTemp("", "sigview-podman-")
	if err != nil {
		t.Fatal(err)
	}
	p := &Podman{Dir: dir, Root: filepath.Join(dir, "root"), RunRoot: filepath.Join(dir, "run"), images: map[string]bool{}}
	t.Cleanup(func() {
		p.podman("rm", "-a", "-f", "-t", "0")
		// conmon runs "podman container cleanup" after a container exits;
		// it would recreate the storage after RemoveAll.
		waitNoProcess(dir, 10*time.Second)
		removeTree(dir)
	})
	return p
}

func (p *Podman) podman(args ...string) (string, error) {
	return run("podman", append(p.GlobalArgs(), args...)...)
}

// GlobalArgs are the podman flags that select this instance's storage
// and the runtime settings that work on these machines.
func (p *Podman) GlobalArgs() []string {
	return []string{"--root", p.Root, "--runroot", p.RunRoot, "--tmpdir", filepath.Join(p.Dir, "tmp"),
		"--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--runtime", "runc", "--events-backend", "file"}
}

// RunArgs are the run flags every container here needs.
func (p *Podman) RunArgs() []string { return CreateFlags }

// Name implements Engine.
func (p *Podman) Name() string { return "podman" }

// Import imports the test image once.
func (p *Podman) Import(t testing.TB) { importOnce(t, &p.imported, p.podman, "-q") }

// Run implements Engine.
func (p *Podman) Run(t testing.TB, name string, args []string, cmd ...string) Inspect {
	t.Helper()
	p.Import(t)
	return p.Inspect(t, runDetached(t, p.podman, name, append(p.RunArgs(), args...), cmd))
}

// Inspect implements Engine.
func (p *Podman) Inspect(t testing.TB, idOrName string) Inspect {
	t.Helper()
	out, err := p.podman("container", "inspect", idOrName)
	if err != nil {
		t.Fatal(err)
	}
	var v []struct {
		ID        string `json:"Id"`
		Name      string
		ImageName string
		Config    struct {
			StopSignal  any // a number in podman 4.3, a name in later versions
			StopTimeout *int64
		}
		HostConfig struct{ Init bool }
		State      struct {
			Pid      int
			Running  bool
			ExitCode int
		}
	}
	mustJSON(t, out, &v)
	if len(v) != 1 {
		t.Fatalf("podman inspect %s: %d results", idOrName, len(v))
	}
	c := v[0]
	sig := ""
	switch s := c.Config.StopSignal.(type) {
	case float64:
		sig = strconv.Itoa(int(s))
	case string:
		sig = s
	}
	return Inspect{ID: c.ID, Name: c.Name, Image: c.ImageName, StopSignal: sig, StopTimeout: c.Config.StopTimeout,
		Init: c.HostConfig.Init, Pid: c.State.Pid, Running: c.State.Running, ExitCode: c.State.ExitCode}
}

// Stop implements Engine.
func (p *Podman) Stop(t testing.TB, idOrName string, timeout int) {
	t.Helper()
	stop(t, p.podman, idOrName, timeout)
}

// StorageRoots returns podman's private graph root and run root, for
// engine.Options.ContainersStorage.
func (p *Podman) StorageRoots() []string { return []string{p.Root, p.RunRoot} }

// RunImage runs another of the test images (built by rootfs, imported once
// as image) as a detached container; args go before the image.
func (p *Podman) RunImage(t testing.TB, rootfs func() (string, error), image, name string, args []string, cmd ...string) Inspect {
	t.Helper()
	importImage(t, p.podman, p.images, rootfs, image, "-q")
	return p.Inspect(t, runImage(t, p.podman, name, image, append(p.RunArgs(), args...), cmd))
}
