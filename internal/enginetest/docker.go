package enginetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Docker is a private dockerd: its own data root, exec root and socket, so
// it neither touches nor sees the host's Docker. Flags measured to work on
// the CI machines: no iptables, no bridge, the vfs storage driver.
type Docker struct {
	Dir      string // holds data/, exec/, sock, log
	DataRoot string
	ExecRoot string
	Sock     string
	// Nested: the daemon is PID 1 of its own PID and mount namespaces
	// (StartNestedDocker); DataRoot and ExecRoot are its paths, under its
	// own root.
	Nested   bool
	cmd      *exec.Cmd
	done     chan error
	imported bool
	images   map[string]bool // other images imported (importImage)
}

// StartDocker starts a dockerd and stops it in t's cleanup.
func StartDocker(t testing.TB) *Docker { return startDocker(t, false) }

// StartNestedDocker starts a dockerd the way Docker in Docker runs one: as
// PID 1 of its own PID namespace, in its own mount namespace, with its data
// and exec roots on a tmpfs that only its mount namespace has. Its
// containers are nested below its PID namespace; their files exist only
// under the daemon's own root (/proc/PID/root), never at the host path its
// flags name. The socket stays where the host's docker CLI reaches it.
func StartNestedDocker(t testing.TB) *Docker { return startDocker(t, true) }

func startDocker(t testing.TB, nested bool) *Docker {
	t.Helper()
	NeedEngines(t, "dockerd", "docker", "containerd", "runc")
	dir, err := os.MkdirTemp("", "sigview-docker-")
	if err != nil {
		t.Fatal(err)
	}
	d := &Docker{Dir: dir, DataRoot: filepath.Join(dir, "data"), ExecRoot: filepath.Join(dir, "exec"), Sock: filepath.Join(dir, "sock")}
	log, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	argv := func() []string {
		return []string{"dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none",
			"--storage-driver=vfs", "--data-root", d.DataRoot, "--exec-root", d.ExecRoot,
			"--pidfile", filepath.Join(dir, "pid"), "-H", "unix://" + d.Sock}
	}
	if !nested {
		d.cmd = exec.Command("dockerd", argv()[1:]...)
	} else {
		inner := filepath.Join(dir, "inner")
		if err := os.Mkdir(inner, 0o700); err != nil {
			t.Fatal(err)
		}
		d.DataRoot, d.ExecRoot = filepath.Join(inner, "data"), filepath.Join(inner, "exec")
		// Private propagation first: nothing mounted here reaches the host.
		script := `mount --make-rprivate / && mount -t proc proc /proc && mount -t tmpfs tmpfs "$0" && exec "$@"`
		d.cmd = exec.Command("sh", append([]string{"-c", script, inner}, argv()...)...)
		d.cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS}
		d.Nested = true
	}
	d.cmd.Stdout, d.cmd.Stderr = log, log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.done = make(chan error, 1)
	go func() { d.done <- d.cmd.Wait(); log.Close() }()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			if ids, err := d.docker("ps", "-aq"); err == nil && ids != "" {
				d.docker(append([]string{"rm", "-f"}, strings.Fields(ids)...)...)
			}
		}
		d.StopDaemon(t)
		ids := d.containerIDs()
		killUnder(dir) // a daemon that had to be killed leaves containerd, shims and containers
		removeCgroups(ids)
		removeTree(dir)
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := d.docker("version"); err == nil {
			break
		}
		select {
		case err := <-d.done:
			b, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("dockerd exited: %v\n%s", err, b)
		default:
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("dockerd did not answer in 30 s\n%s", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return d
}

// StopDaemon stops dockerd (SIGTERM, then SIGKILL after 20 s) and waits for
// it; the containers' files stay on disk.
func (d *Docker) StopDaemon(t testing.TB) {
	t.Helper()
	if d.done == nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(20 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
	}
	d.done = nil
}

func (d *Docker) docker(args ...string) (string, error) {
	return run("docker", append(d.GlobalArgs(), args...)...)
}

// containerIDs lists the IDs of the containers this daemon made (none
// for a nested daemon, whose data root is not on the host).
func (d *Docker) containerIDs() []string {
	ents, _ := os.ReadDir(filepath.Join(d.DataRoot, "containers"))
	var ids []string
	for _, e := range ents {
		ids = append(ids, e.Name())
	}
	return ids
}

// PID is the daemon's PID on the host.
func (d *Docker) PID() int { return d.cmd.Process.Pid }

// GlobalArgs point the docker CLI at this private dockerd.
func (d *Docker) GlobalArgs() []string { return []string{"-H", "unix://" + d.Sock} }

// RunArgs are the run flags every container here needs.
func (d *Docker) RunArgs() []string { return []string{"--network", "none"} }

// Name implements Engine.
func (d *Docker) Name() string { return "docker" }

// Import imports the test image once.
func (d *Docker) Import(t testing.TB) { importOnce(t, &d.imported, d.docker) }

// Run implements Engine.
func (d *Docker) Run(t testing.TB, name string, args []string, cmd ...string) Inspect {
	t.Helper()
	d.Import(t)
	return d.Inspect(t, runDetached(t, d.docker, name, append(d.RunArgs(), args...), cmd))
}

// Inspect implements Engine.
func (d *Docker) Inspect(t testing.TB, idOrName string) Inspect {
	t.Helper()
	out, err := d.docker("inspect", "--type", "container", idOrName)
	if err != nil {
		t.Fatal(err)
	}
	var v []struct {
		ID     string `json:"Id"`
		Name   string
		Config struct {
			Image       string
			StopSignal  string
			StopTimeout *int64
		}
		HostConfig struct{ Init *bool }
		State      struct {
			Pid      int
			Running  bool
			ExitCode int
		}
	}
	mustJSON(t, out, &v)
	if len(v) != 1 {
		t.Fatalf("docker inspect %s: %d results", idOrName, len(v))
	}
	c := v[0]
	in := Inspect{ID: c.ID, Name: trimSlash(c.Name), Image: c.Config.Image, StopSignal: c.Config.StopSignal,
		StopTimeout: c.Config.StopTimeout, Pid: c.State.Pid, Running: c.State.Running, ExitCode: c.State.ExitCode}
	if c.HostConfig.Init != nil {
		in.Init = *c.HostConfig.Init
	}
	return in
}

// Stop implements Engine.
func (d *Docker) Stop(t testing.TB, idOrName string, timeout int) {
	t.Helper()
	stop(t, d.docker, idOrName, timeout)
}

func trimSlash(s string) string {
	if len(s) > 0 && s[0] == '/' {
		return s[1:]
	}
	return s
}

// RunImage runs another of the test images (built by rootfs, imported once
// as image) as a detached container; args go before the image.
func (d *Docker) RunImage(t testing.TB, rootfs func() (string, error), image, name string, args []string, cmd ...string) Inspect {
	t.Helper()
	if d.images == nil {
		d.images = map[string]bool{}
	}
	importImage(t, d.docker, d.images, rootfs, image)
	return d.Inspect(t, runImage(t, d.docker, name, image, append(d.RunArgs(), args...), cmd))
}
