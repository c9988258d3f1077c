package enginetest

import (
	"archive/tar"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

// SystemdImage is the name the systemd test image is imported as: the
// host's systemd (Debian's package) with a unit set of its own.
const SystemdImage = "localhost/sigview-systemd:1"

// systemdBins are the programs in the systemd image, each with its shared
// libraries: systemd, what its shutdown runs (systemctl for
// systemd-halt.service, systemd-shutdown), and the sleep its one service
// runs.
var systemdBins = []string{"/lib/systemd/systemd", "/lib/systemd/systemd-shutdown", "/bin/systemctl", "/bin/sh", "/bin/sleep"}

// systemdUnits are copied from the host's systemd: the targets and
// services its stop signals start (halt, poweroff, reboot, exit) and what
// they require.
var systemdUnits = []string{"halt.target", "systemd-halt.service", "poweroff.target", "systemd-poweroff.service",
	"reboot.target", "systemd-reboot.service", "exit.target", "systemd-exit.service",
	"shutdown.target", "umount.target", "final.target"}

// systemdOwnUnits are written for the image: the default target wants one
// service, a sleep, so a stop has a unit to stop.
var systemdOwnUnits = map[string]string{
	"default.target":  "[Unit]\nDescription=sigview test target\nWants=sleeper.service\n",
	"sleeper.service": "[Unit]\nDescription=a sleep\n[Service]\nExecStart=/bin/sleep 100000\n",
	// systemd --unit=stubborn.target runs a service whose shell ignores
	// SIGTERM (its sleeps do not): its stop waits TimeoutStopSec=, 90 s.
	"stubborn.target":  "[Unit]\nDescription=a service that ignores SIGTERM\nWants=stubborn.service\n",
	"stubborn.service": "[Unit]\nDescription=a shell ignoring SIGTERM\n[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; while :; do sleep 1; done'\n",
	// systemd --unit=worker.target runs a service whose main process (a
	// sleep) ends on SIGTERM and whose child (a sleep forked with SIGTERM
	// ignored) does not: its stop waits TimeoutStopSec=, 90 s.
	"worker.target":  "[Unit]\nDescription=a service whose worker ignores SIGTERM\nWants=worker.service\n",
	"worker.service": "[Unit]\nDescription=a sleep with a child ignoring SIGTERM\n[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; sleep 100001 & trap - TERM; exec sleep 100000'\n",
}

const unitDir = "/usr/lib/systemd/system"

var (
	systemdOnce sync.Once
	systemdPath string
	systemdErr  error
)

// SystemdRootfs returns the systemd image's tarball, built once per test
// binary run (RemoveRootfs removes it).
func SystemdRootfs() (string, error) {
	systemdOnce.Do(func() { systemdPath, systemdErr = buildSystemdRootfs() })
	return systemdPath, systemdErr
}

func buildSystemdRootfs() (path string, err error) {
	files := map[string][]byte{} // name in the image -> contents
	for _, b := range systemdBins {
		if _, err := os.Stat(b); err != nil {
			return "", fmt.Errorf("the systemd image needs %s (Debian package systemd): %w", b, err)
		}
	}
	if err := withLibs(files, systemdBins...); err != nil {
		return "", err
	}
	for _, u := range systemdUnits {
		if files[unitDir+"/"+u], err = readReal(filepath.Join(unitDir, u)); err != nil {
			return "", fmt.Errorf("the systemd image needs the unit %s: %w", u, err)
		}
	}
	for u, text := range systemdOwnUnits {
		files[unitDir+"/"+u] = []byte(text)
	}
	// As systemd ships it: ctrl-alt-del.target is reboot.target.
	return writeImage("sigview-systemd-rootfs-", files, map[string]string{unitDir + "/ctrl-alt-del.target": "reboot.target"})
}

// writeImage writes a root filesystem tarball of files (name in the image
// -> contents, mode 0755) and symlinks (name -> target), with the
// directories engines mount over, into a new temporary directory.
func writeImage(prefix string, files map[string][]byte, links map[string]string) (path string, err error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	p := filepath.Join(dir, "rootfs.tar")
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	dirs := map[string]bool{"/proc": true, "/sys": true, "/dev": true, "/etc": true, "/tmp": true, "/run": true, "/var": true}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	for name := range links {
		names = append(names, name)
	}
	for _, name := range names {
		for d := filepath.Dir(name); d != "/"; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	sort.Strings(names)
	var ds []string
	for d := range dirs {
		ds = append(ds, d)
	}
	sort.Strings(ds) // parents first
	for _, d := range ds {
		if err := tw.WriteHeader(&tar.Header{Name: d[1:] + "/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			return "", err
		}
	}
	for _, name := range names {
		if target, ok := links[name]; ok {
			if err := tw.WriteHeader(&tar.Header{Name: name[1:], Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777}); err != nil {
				return "", err
			}
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: name[1:], Mode: 0o755, Size: int64(len(files[name]))}); err != nil {
			return "", err
		}
		if _, err := tw.Write(files[name]); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	return p, f.Close()
}

// withLibs adds each program and its shared libraries (ldd) to files.
func withLibs(files map[string][]byte, bins ...string) error {
	for _, b := range bins {
		out, _ := exec.Command("ldd", b).Output() // "not a dynamic executable" fails
		for _, name := range append([]string{b}, libRE.FindAllString(string(out), -1)...) {
			var err error
			if files[name], err = readReal(name); err != nil {
				return err
			}
		}
	}
	return nil
}

func readReal(name string) ([]byte, error) {
	real, err := filepath.EvalSymlinks(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(real)
}

// RunSystemd runs the systemd image as a detached container named name,
// with podman's systemd mode (--systemd=always: podman mounts the tmpfs
// and the container's own cgroup systemd needs, sets container=podman, and
// makes SIGRTMIN+3 the stop signal); args go before the image.
func (p *Podman) RunSystemd(t testing.TB, name string, args ...string) Inspect {
	return p.RunSystemdUnit(t, name, "", args...)
}

// RunSystemdUnit is RunSystemd starting unit (systemd --unit) instead of
// default.target, unless it is "".
func (p *Podman) RunSystemdUnit(t testing.TB, name, unit string, args ...string) Inspect {
	t.Helper()
	importImage(t, p.podman, p.images, SystemdRootfs, SystemdImage, "-q")
	a := append(append(append([]string{"run", "-d", "--name", name, "--systemd=always"}, p.RunArgs()...), args...), SystemdImage, "/lib/systemd/systemd")
	if unit != "" {
		a = append(a, "--unit="+unit)
	}
	id, err := p.podman(a...)
	if err != nil {
		t.Fatal(err)
	}
	return p.Inspect(t, id)
}

// Exec runs a command in a running container.
func (p *Podman) Exec(idOrName string, cmd ...string) (string, error) {
	return p.podman(append([]string{"exec", idOrName}, cmd...)...)
}

// Remove removes a container, stopping it without a grace period.
func (p *Podman) Remove(idOrName string) error {
	_, err := p.podman("rm", "-f", "-t", "0", idOrName)
	return err
}

// BusyboxImage is the name the busybox init test image is imported as:
// the host's busybox as /sbin/init, sh and sleep, with an /etc/inittab
// that respawns one sleep and has no other action (busybox's built-in
// one would run `umount -a -r` at shutdown).
const BusyboxImage = "localhost/sigview-busybox:1"

// BusyboxInittab is the busybox image's /etc/inittab.
const BusyboxInittab = "::respawn:/bin/sleep 1000\n"

var (
	busyboxOnce sync.Once
	busyboxPath string
	busyboxErr  error
)

// BusyboxRootfs returns the busybox image's tarball, built once per test
// binary run (RemoveRootfs removes it).
func BusyboxRootfs() (string, error) {
	busyboxOnce.Do(func() {
		bin, err := exec.LookPath("busybox")
		if err != nil {
			busyboxErr = fmt.Errorf("the busybox image needs busybox (Debian package busybox): %w", err)
			return
		}
		files := map[string][]byte{"/etc/inittab": []byte(BusyboxInittab)}
		if busyboxErr = withLibs(files, bin); busyboxErr != nil {
			return
		}
		files["/bin/busybox"] = files[bin]
		if bin != "/bin/busybox" {
			delete(files, bin)
		}
		links := map[string]string{"/sbin/init": "/bin/busybox", "/bin/sh": "busybox", "/bin/sleep": "busybox"}
		busyboxPath, busyboxErr = writeImage("sigview-busybox-rootfs-", files, links)
	})
	return busyboxPath, busyboxErr
}
