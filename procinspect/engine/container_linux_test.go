package engine

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/nsutil"

	"github.com/google/go-cmp/cmp"
	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/internal/testenv"
	"golang.org/x/sys/unix"
)

// These tests build the cgroup paths of §4.2 on this machine's real cgroup
// hierarchies, move a real PID namespace init into them, and read its
// /proc/PID/cgroup back through ContainerOf. No engine is involved: the
// directories are made by hand, which is all an engine's cgroup driver
// does as far as the path is concerned.

// cgroupMount is a mounted cgroup hierarchy.
// mountinfoUnescape undoes the kernel's octal escaping of the characters
// a mountinfo field cannot hold as is (fs/proc_namespace.c: mangle).
var mountinfoUnescape = strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)

type cgroupMount struct {
	dir  string // where it is mounted
	root string // the mount's root within the hierarchy, as /proc/PID/cgroup shows paths
}

// path returns the path /proc/PID/cgroup shows for rel below this mount.
func (m cgroupMount) path(rel string) string { return path.Join(m.root, rel) }

// cgroupMounts finds the cgroup2 mount and the cgroup v1 name=systemd
// mount in /proc/self/mountinfo (proc_pid_mountinfo(5)); either is nil
// when not mounted.
func cgroupMounts(t *testing.T) (unified, systemd *cgroupMount) {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatalf("open mountinfo: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := slices.Index(fields, "-")
		if sep < 5 || len(fields) < sep+4 {
			continue
		}
		m := &cgroupMount{dir: mountinfoUnescape.Replace(fields[4]), root: mountinfoUnescape.Replace(fields[3])}
		switch fstype, superOpts := fields[sep+1], fields[sep+3]; {
		case fstype == "cgroup2" && unified == nil:
			unified = m
		case fstype == "cgroup" && systemd == nil && slices.Contains(strings.Split(superOpts, ","), "name=systemd"):
			systemd = m
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read mountinfo: %v", err)
	}
	return unified, systemd
}

// needUnified returns the cgroup2 mount. Without one the test fails when
// SIGVIEW_REQUIRE_NS is set and skips otherwise.
func needUnified(t *testing.T) cgroupMount {
	t.Helper()
	unified, _ := cgroupMounts(t)
	if unified == nil {
		if os.Getenv("SIGVIEW_REQUIRE_NS") != "" {
			t.Fatal("SIGVIEW_REQUIRE_NS is set but no cgroup2 hierarchy is mounted (/proc/self/mountinfo)")
		}
		t.Skip("no cgroup2 hierarchy mounted; set SIGVIEW_REQUIRE_NS=1 to make this a failure")
	}
	return *unified
}

// lockCgroups serializes the tests that create cgroups across test
// processes running at the same time (testenv.LockCgroups): two runs that
// share a parent such as /kubepods would otherwise each leave its removal
// to the other, and enginetest's podman systemd test compares the host's
// cgroup top level before and after each container.
func lockCgroups(t *testing.T) {
	t.Helper()
	testenv.LockCgroups(t)
}

// randHex returns n random bytes as lowercase hex.
func randHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// randUID returns a random pod UID in the API's dashed form.
func randUID(t *testing.T) string {
	h := randHex(t, 16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// makeCgroup creates the cgroup rel (and any missing parents) below m and
// registers their removal, deepest first. It returns the leaf's directory.
func makeCgroup(t *testing.T, m cgroupMount, rel string) string {
	t.Helper()
	var created []string
	t.Cleanup(func() {
		for _, dir := range slices.Backward(created) {
			removeCgroup(t, dir)
		}
	})
	dir := m.dir
	for comp := range strings.SplitSeq(strings.Trim(rel, "/"), "/") {
		dir = filepath.Join(dir, comp)
		err := os.Mkdir(dir, 0o755)
		switch {
		case err == nil:
			created = append(created, dir)
		case !errors.Is(err, fs.ErrExist):
			t.Fatalf("mkdir cgroup: %v", err)
		}
	}
	return dir
}

// removeCgroup removes a cgroup this test created. A cgroup can only be
// removed once it has no live processes and no children: it retries EBUSY
// briefly, and leaves a shared parent alone when another user has put
// cgroups of its own below it.
func removeCgroup(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := unix.Rmdir(dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return
		}
		if errors.Is(err, unix.EBUSY) && hasChildCgroups(dir) {
			t.Logf("leaving %s: another user has created cgroups below it", dir)
			return
		}
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			t.Errorf("rmdir %s: %v", dir, err)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func hasChildCgroups(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(entries, fs.DirEntry.IsDir)
}

// startInit starts sleep as the init of a new PID namespace and registers
// its SIGKILL and reaping. It returns the init's command.
func startInit(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start a PID namespace init: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// moveTo moves pid into the cgroup at dir.
func moveTo(t *testing.T, dir string, pid int) {
	t.Helper()
	procs := filepath.Join(dir, "cgroup.procs")
	f, err := os.OpenFile(procs, os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", procs, err)
	}
	_, err = f.WriteString(strconv.Itoa(pid))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("move %d into %s: %v", pid, dir, err)
	}
}

// withPath returns a copy of c with Path set to p at every level.
func withPath(c *Container, p string) *Container {
	if c == nil {
		return nil
	}
	d := *c
	d.Path = p
	d.Outer = withPath(c.Outer, p)
	return &d
}

// checkContainerOf asserts ContainerOf("/proc", pid) == want, printing the
// cgroup file on a mismatch.
func checkContainerOf(t *testing.T, pid int, want *Container) {
	t.Helper()
	got, err := ContainerOf("/proc", pid)
	if err != nil {
		t.Fatalf("ContainerOf(/proc, %d): %v", pid, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		text, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
		t.Errorf("ContainerOf(/proc, %d) mismatch (-want +got):\n%s\n/proc/%d/cgroup:\n%s", pid, diff, pid, text)
	}
}

// checkInit asserts that the process is a namespace init: its PID
// namespace is not ours.
func checkInit(t *testing.T, pid int) {
	t.Helper()
	self, err := nsutil.PIDNS("/proc", os.Getpid(), true)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := nsutil.PIDNS("/proc", pid, true)
	if err != nil {
		t.Fatal(err)
	}
	if ns.Same(self) {
		t.Fatalf("process %d is in our own PID namespace %v; want a new one", pid, ns)
	}
}

// TestContainerOfLiveUnified runs each §4.2 pattern on the cgroup2
// hierarchy, where the "0::" line carries the path.
func TestContainerOfLiveUnified(t *testing.T) {
	nstest.NeedNamespaces(t)
	m := needUnified(t)
	lockCgroups(t)

	a, b := randHex(t, 32), randHex(t, 32)
	uid := randUID(t)
	uidU := strings.ReplaceAll(uid, "-", "_")
	name := "sigview-" + randHex(t, 4)
	escaped := strings.ReplaceAll(name, "-", `\x2d`)
	kindPod := "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" + uidU + ".slice"

	tests := []struct {
		name string
		rel  string
		want *Container
	}{
		{"docker systemd scope", "/system.slice/docker-" + a + ".scope",
			&Container{Runtime: "docker", ID: a}},
		{"docker cgroupfs", "/docker/" + a,
			&Container{Runtime: "docker", ID: a}},
		{"docker in docker", "/docker/" + b + "/docker/" + a,
			&Container{Runtime: "docker", ID: a, Outer: &Container{Runtime: "docker", ID: b}}},
		{"containerd CRI under a kubepods systemd slice",
			"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidU + ".slice/cri-containerd-" + a + ".scope",
			&Container{Runtime: "containerd", ID: a, PodUID: uid}},
		{"kind node with a CRI container", "/system.slice/docker-" + b + ".scope" + kindPod + "/cri-containerd-" + a + ".scope",
			&Container{Runtime: "containerd", ID: a, PodUID: uid, Outer: &Container{Runtime: "docker", ID: b}}},
		{"cri-o with /container child",
			"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidU + ".slice/crio-" + a + ".scope/container",
			&Container{Runtime: "cri-o", ID: a, PodUID: uid}},
		{"podman libpod scope with /container child", "/machine.slice/libpod-" + a + ".scope/container",
			&Container{Runtime: "podman", ID: a}},
		{"kubernetes cgroupfs besteffort", "/kubepods/besteffort/pod" + uid + "/" + a,
			&Container{Runtime: "kubernetes", ID: a, PodUID: uid}},
		{"plain containerd (ctr)", "/default/" + name,
			&Container{Runtime: "containerd", ID: name}},
		{"lxc.payload", "/lxc.payload." + name,
			&Container{Runtime: "lxc", Name: name}},
		{"systemd-nspawn payload", "/machine.slice/machine-" + escaped + ".scope/payload",
			&Container{Runtime: "systemd-nspawn", Name: name}},

		{"systemd-nspawn supervisor is not the container", "/machine.slice/machine-" + escaped + ".scope/supervisor", nil},
		{"libpod-conmon is not a container", "/machine.slice/libpod-conmon-" + a + ".scope", nil},
		{"crio-conmon is not a container",
			"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidU + ".slice/crio-conmon-" + a + ".scope", nil},
		{"libvirt qemu VM is not a container", `/machine.slice/machine-qemu\x2d9\x2d` + escaped + ".scope", nil},
		{"lxc.monitor is not a container", "/lxc.monitor." + name, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := makeCgroup(t, m, tt.rel)
			cmd := startInit(t)
			pid := cmd.Process.Pid
			checkInit(t, pid)
			moveTo(t, leaf, pid)
			checkContainerOf(t, pid, withPath(tt.want, m.path(tt.rel)))
		})
	}
}

// TestContainerOfLiveDeleted checks the " (deleted)" suffix the kernel
// shows for a zombie whose cgroup v2 cgroup has been removed
// (proc_cgroup_show).
func TestContainerOfLiveDeleted(t *testing.T) {
	nstest.NeedNamespaces(t)
	m := needUnified(t)
	lockCgroups(t)
	a := randHex(t, 32)
	rel := "/docker/" + a
	leaf := makeCgroup(t, m, rel)
	cmd := startInit(t)
	pid := cmd.Process.Pid
	moveTo(t, leaf, pid)

	// Kill without reaping: the init stays a zombie, and its cgroup, no
	// longer populated, can be removed.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := unix.Rmdir(leaf)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			t.Fatalf("rmdir %s with only a zombie left: %v", leaf, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	text, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	if want := "0::" + m.path(rel) + " (deleted)\n"; !strings.Contains(string(text), want) {
		t.Fatalf("/proc/%d/cgroup of the zombie = %q; want a line %q", pid, text, want)
	}
	checkContainerOf(t, pid, &Container{Runtime: "docker", ID: a, Path: m.path(rel)})
}

// TestContainerOfLiveSystemdV1 runs patterns on the cgroup v1 name=systemd
// hierarchy. Which line ParseCgroup uses depends on where the unified
// hierarchy has the process (§4.1): at "/" the name=systemd line names the
// container; anywhere else the "0::" line wins.
func TestContainerOfLiveSystemdV1(t *testing.T) {
	nstest.NeedNamespaces(t)
	unified, systemd := cgroupMounts(t)
	if systemd == nil {
		nstest.Skip(t, "cgroup-v1-systemd", "no cgroup v1 name=systemd hierarchy in /proc/self/mountinfo (pure cgroup v2 machine): v1 part skipped")
	}
	sd := *systemd
	lockCgroups(t)
	a, b := randHex(t, 32), randHex(t, 32)
	uid := randUID(t)
	name := "sigview-" + randHex(t, 4)

	tests := []struct {
		name   string
		v1Rel  string
		v2Rel  string // where to put the process on the unified hierarchy; "" for its root
		v2Path bool   // the 0:: line is expected to be used
		want   *Container
	}{
		{"docker scope, unified at /", "/system.slice/docker-" + a + ".scope", "", false,
			&Container{Runtime: "docker", ID: a}},
		{"lxc.payload, unified at /", "/lxc.payload." + name, "", false,
			&Container{Runtime: "lxc", Name: name}},
		{"kubernetes cgroupfs, unified at /", "/kubepods/burstable/pod" + uid + "/" + a, "", false,
			&Container{Runtime: "kubernetes", ID: a, PodUID: uid}},
		{"docker scope, unified in a plain service", "/system.slice/docker-" + a + ".scope", "/" + name + ".slice/plain.service", true,
			nil},
		{"docker cgroupfs, unified in a podman scope", "/docker/" + a, "/machine.slice/libpod-" + b + ".scope/container", true,
			&Container{Runtime: "podman", ID: b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if unified == nil && (tt.v2Rel != "" || !ourUnifiedAtRoot(t)) {
				nstest.Skip(t, "cgroup-unified-place", "no cgroup2 mount to place the process on the unified hierarchy")
			}
			v1Leaf := makeCgroup(t, sd, tt.v1Rel)
			v2Leaf := ""
			if unified != nil {
				v2Leaf = unified.dir
				if tt.v2Rel != "" {
					v2Leaf = makeCgroup(t, *unified, tt.v2Rel)
				}
			}
			cmd := startInit(t)
			pid := cmd.Process.Pid
			checkInit(t, pid)
			moveTo(t, v1Leaf, pid)
			if v2Leaf != "" {
				moveTo(t, v2Leaf, pid)
			}
			p := sd.path(tt.v1Rel)
			if tt.v2Path {
				p = unified.path(tt.v2Rel)
			}
			checkContainerOf(t, pid, withPath(tt.want, p))
		})
	}
}

// ourUnifiedAtRoot reports whether this process's "0::" line is absent or
// "/", so that a child that cannot be moved on the unified hierarchy still
// shows it at "/".
func ourUnifiedAtRoot(t *testing.T) bool {
	text, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(text)) {
		if p, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "0::"); ok {
			return p == "/"
		}
	}
	return true
}
