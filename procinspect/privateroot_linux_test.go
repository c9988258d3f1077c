package procinspect_test

// A root of its own for an init whose actions could reach the host (busybox
// init's shutdown actions and reboot(2)) or that finds its configuration on
// fixed paths (supervisord's default search, /etc/supervisor/…). The test
// binary (TestPrivateRootHelper) is PID 1 of fresh PID and mount
// namespaces: it makes every mount private (MS_REC|MS_PRIVATE, checked in
// mountinfo: nothing propagates to the host), binds /usr read-only and
// /dev/null into a temporary root holding the files the test wrote,
// chroots there and execs the init. Without each of those steps it
// refuses, and the row fails. kill(-1) from the init reaches only its
// namespace's processes; reboot(2) from a PID namespace's init ends only
// that namespace (kernel/pid_namespace.c: reboot_pid_ns).

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// privateRoot makes a root holding files (path below the root -> text;
// executable when it starts with #!) and returns the command that runs argv as PID 1 in it; bootCap keeps
// CAP_SYS_BOOT (else it is dropped from the bounding set before the exec,
// as docker's default capabilities leave it out).
func privateRoot(files map[string]string, bootCap bool, argv ...string) func(b binaries) []string {
	return func(b binaries) []string {
		root := tempDir(b, "root-")
		for _, d := range []string{"usr", "etc", "dev", "tmp", "run"} {
			if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
				panic(err)
			}
		}
		// Debian's merged /usr: the root's /bin, /lib, … point into the
		// bound /usr.
		for _, l := range []string{"bin", "sbin", "lib", "lib64"} {
			if err := os.Symlink("usr/"+l, filepath.Join(root, l)); err != nil {
				panic(err)
			}
		}
		all := map[string]string{"dev/null": ""}
		for name, text := range files {
			all[name] = text
		}
		for name, text := range all {
			p := filepath.Join(root, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				panic(err)
			}
			perm := os.FileMode(0o644)
			if strings.HasPrefix(text, "#!") {
				perm = 0o755 // a script: executable
			}
			if err := os.WriteFile(p, []byte(text), perm); err != nil {
				panic(err)
			}
		}
		mode := "noboot"
		if bootCap {
			mode = "boot"
		}
		return append([]string{os.Args[0], "-test.run=^TestPrivateRootHelper$", "--", root, mode, nsLink("/proc/self/ns/mnt")}, argv...)
	}
}

// TestPrivateRootHelper is PID 1 of a private-root case: it sets up the
// root and execs the init, or says why it refused. It does nothing in a
// normal test run.
func TestPrivateRootHelper(t *testing.T) {
	args := flag.Args()
	if len(args) < 4 {
		t.Skip("PID 1 of the private-root rows of the real-kernel matrix")
	}
	if err := enterPrivateRoot(args[0], args[1] == "boot", args[2], args[3:]); err != nil {
		fmt.Printf("refused: %v\n", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	err := syscall.Exec(args[3], args[3:], []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"})
	fmt.Printf("exec %v: %v\n", args[3:], err)
	os.Exit(4)
}

// enterPrivateRoot makes the helper's mounts private, binds /usr and
// /dev/null into root, drops CAP_SYS_BOOT unless bootCap, and chroots into
// root. Every check that keeps the host out of reach is an error.
func enterPrivateRoot(root string, bootCap bool, hostMnt string, argv []string) error {
	if os.Getpid() != 1 {
		return fmt.Errorf("PID %d: not PID 1 of a new PID namespace", os.Getpid())
	}
	if nsLink("/proc/self/ns/mnt") == hostMnt {
		return fmt.Errorf("still in the test's mount namespace %s", hostMnt)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making every mount private: %w", err)
	}
	if shared, err := propagating(); err != nil || len(shared) > 0 {
		return fmt.Errorf("mounts still propagating after MS_REC|MS_PRIVATE: %v %v", shared, err)
	}
	if len(argv) > 1 && filepath.Base(argv[0]) == "busybox" && argv[1] == "init" {
		// Without an inittab busybox runs its built-in shutdown actions.
		if b, err := os.ReadFile(filepath.Join(root, "etc", "inittab")); err != nil || len(b) == 0 {
			return fmt.Errorf("no /etc/inittab in %s: %v", root, err)
		}
	}
	usr := filepath.Join(root, "usr")
	if err := unix.Mount("/usr", usr, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("binding /usr: %w", err)
	}
	if err := unix.Mount("", usr, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		return fmt.Errorf("making the bound /usr read-only: %w", err)
	}
	if err := unix.Mount("/dev/null", filepath.Join(root, "dev", "null"), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("binding /dev/null: %w", err)
	}
	if !bootCap {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, unix.CAP_SYS_BOOT, 0, 0, 0); err != nil {
			return fmt.Errorf("dropping CAP_SYS_BOOT: %w", err)
		}
	}
	if err := unix.Chroot(root); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	return unix.Chdir("/")
}

// propagating lists the mounts of this process's mount namespace that
// still have a propagation tag (shared:N or master:N) in mountinfo.
func propagating() ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for _, opt := range fields[min(6, len(fields)):] {
			if opt == "-" {
				break
			}
			if strings.HasPrefix(opt, "shared:") || strings.HasPrefix(opt, "master:") {
				out = append(out, fields[4]+" "+opt)
			}
		}
	}
	return out, sc.Err()
}

// hostMountsUnder lists the test's own (the host's) mount points below
// dir: a private root's binds must never show there.
func hostMountsUnder(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatalf("reading the host's mountinfo: %v", err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], dir) {
			out = append(out, f[4])
		}
	}
	return out
}

// waitExec waits until the init is no longer this test binary (the
// private-root helper), i.e. it has exec'd the program under test.
func (in *instance) waitExec() {
	in.t.Helper()
	self, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		in.t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", in.target))
		if err == nil && string(comm) != string(self) {
			// The new name is set (begin_new_exec: __set_task_comm) before
			// the new credentials are (commit_creds), and a check of
			// CapEff in between saw the helper's CAP_SYS_BOOT in one run.
			// Opening auxv takes exec_update_lock for reading (mm_access),
			// which the exec holds until after commit_creds: once it
			// opens, the exec is complete.
			if _, err := os.ReadFile(fmt.Sprintf("/proc/%d/auxv", in.target)); err != nil {
				in.t.Fatalf("init %d: auxv after its exec: %v", in.target, err)
			}
			return
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("init %d is still the helper (%q) after 30 s: %v", in.target, comm, err)
		}
	}
}

// checkBootCap checks that the init has CAP_SYS_BOOT as the case asked.
func (in *instance) checkBootCap(want bool) {
	in.t.Helper()
	st, err := in.status()
	if err != nil || !st.CapEff.Known {
		in.t.Fatalf("init %d: CapEff unreadable: %v", in.target, err)
	}
	if got := st.CapEff.V&(1<<unix.CAP_SYS_BOOT) != 0; got != want {
		in.t.Fatalf("init %d: CAP_SYS_BOOT effective = %v, the case set up %v", in.target, got, want)
	}
}
