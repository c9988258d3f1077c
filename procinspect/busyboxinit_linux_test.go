package procinspect_test

// busybox init really run as PID 1 (docs/kernel-signals.md §8.2). Its
// signals end in shutdown actions, kill(-1) and reboot(2), so it runs in a
// root of its own: the test binary (TestBusyboxInitPID1Helper) is PID 1 of
// fresh PID and mount namespaces, makes every mount private (MS_REC|
// MS_PRIVATE, checked in mountinfo: nothing propagates to the host), binds
// /usr read-only and /dev/null into a temporary root whose /etc/inittab the
// test wrote, chroots there and execs busybox init. Without those steps it
// refuses, and the test fails: busybox's built-in shutdown actions
// (`umount -a -r`, which remounts busy file systems read-only) must never
// run where they could reach the host's mounts. reboot(2) from a PID
// namespace's init ends only that namespace (kernel/pid_namespace.c:
// reboot_pid_ns); kill(-1) reaches only the namespace's processes.

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// busyboxInit runs busybox init as PID 1 in a root of its own whose
// /etc/inittab is the given text; bootCap keeps CAP_SYS_BOOT (else it is
// dropped from the bounding set before the exec, as docker's default
// capabilities leave it out).
func busyboxInit(inittab string, bootCap bool) func(b binaries) []string {
	return func(b binaries) []string {
		root := tempDir(b, "bbinit-")
		for _, d := range []string{"usr", "etc", "dev"} {
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
		if err := os.WriteFile(filepath.Join(root, "dev", "null"), nil, 0o644); err != nil {
			panic(err)
		}
		if err := os.WriteFile(filepath.Join(root, "etc", "inittab"), []byte(inittab), 0o644); err != nil {
			panic(err)
		}
		mode := "noboot"
		if bootCap {
			mode = "boot"
		}
		return []string{os.Args[0], "-test.run=^TestBusyboxInitPID1Helper$", "--", root, mode, nsLink("/proc/self/ns/mnt")}
	}
}

// TestBusyboxInitPID1Helper is PID 1 of a busybox init case: it sets up
// the private root and execs busybox init, or says why it refused. It does
// nothing in a normal test run.
func TestBusyboxInitPID1Helper(t *testing.T) {
	args := flag.Args()
	if len(args) != 3 {
		t.Skip("PID 1 of the busybox init rows of the real-kernel matrix")
	}
	if err := busyboxInitRoot(args[0], args[1] == "boot", args[2]); err != nil {
		fmt.Printf("refused: %v\n", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	err := syscall.Exec("/bin/busybox", []string{"init"}, []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"})
	fmt.Printf("exec busybox init: %v\n", err)
	os.Exit(4)
}

// busyboxInitRoot makes the helper's mounts private, binds /usr and
// /dev/null into root, drops CAP_SYS_BOOT unless bootCap, and chroots into
// root. Every check that keeps the host out of reach is an error.
func busyboxInitRoot(root string, bootCap bool, hostMnt string) error {
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
	if b, err := os.ReadFile(filepath.Join(root, "etc", "inittab")); err != nil || len(b) == 0 {
		// Without an inittab busybox runs its built-in shutdown actions.
		return fmt.Errorf("no /etc/inittab in %s: %v", root, err)
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
// dir: a busybox init row's binds must never show there.
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

var (
	usr1In   = send{syscall.SIGUSR1, predict.Inside}
	usr2Host = send{syscall.SIGUSR2, predict.Host}
	pwrHost  = send{syscall.SIGPWR, predict.Host}
)

// bbSleep is an inittab with one respawned command and no other action.
const bbSleep = "::respawn:/bin/sleep 1000\n"

func bbRow(verdict string, end ending, has string) want {
	return want{verdict: verdict, outcome: "handled", end: end, reasonHas: has}
}

// busyboxInitCases are the busybox init rows of the real-kernel matrix.
var busyboxInitCases = []kernelCase{
	// With CAP_SYS_BOOT (root's, as here): reboot(2) from the namespace's
	// init makes the kernel kill it; its parent sees SIGHUP for a reboot
	// (TERM) and SIGINT for a halt or power off (USR1, USR2, PWR).
	{name: "busybox init, CAP_SYS_BOOT", argv: busyboxInit(bbSleep, true), mountNS: true, bootCap: 'y',
		program: "busybox-init", kids: 1, grace: 8 * time.Second,
		want: withKill(map[send]want{
			termIn:   bbRow("yes", killedBy(1), "death by SIGHUP (status 129)"),
			termHost: bbRow("yes", killedBy(1), "death by SIGHUP (status 129)"),
			usr1In:   bbRow("yes", killedBy(2), "death by SIGINT (status 130)"),
			usr2Host: bbRow("yes", killedBy(2), "death by SIGINT (status 130)"),
			pwrHost:  bbRow("yes", killedBy(2), "asks it to halt"),
			hupIn:    bbRow("no", alive, "reread /etc/inittab"),
			hupHost:  bbRow("no", alive, "reread /etc/inittab"),
			intIn:    bbRow("no", alive, "has none"),
			intHost:  bbRow("no", alive, "has none"),
			quitIn:   bbRow("no", alive, "has none"),
			quitHost: bbRow("no", alive, "has none")})},
	// Docker's default capabilities leave CAP_SYS_BOOT out: reboot(2)
	// fails and busybox init exits 0.
	{name: "busybox init, no CAP_SYS_BOOT", argv: busyboxInit(bbSleep, false), mountNS: true, bootCap: 'n',
		program: "busybox-init", kids: 1, grace: 8 * time.Second,
		want: map[send]want{
			termIn:   bbRow("yes", exited(0), "EPERM"),
			termHost: bbRow("yes", exited(0), "EPERM"),
			usr2Host: bbRow("yes", exited(0), "exits 0")}},
	// A ctrlaltdel action runs and init keeps running; a shutdown action
	// runs before the reboot, which is then "depends" (one that never ends
	// holds it up).
	{name: "busybox init with ctrlaltdel and shutdown actions", mountNS: true, bootCap: 'y',
		argv:    busyboxInit(bbSleep+"::ctrlaltdel:/bin/true\n::shutdown:/bin/true\n", true),
		program: "busybox-init", kids: 1, grace: 8 * time.Second,
		want: map[send]want{
			intHost:  bbRow("depends", alive, "`/bin/true`"),
			termHost: bbRow("depends", killedBy(1), "shutdown action(s)")}},
	// A restart action: QUIT ends every other process and execs it, which
	// replaces busybox init as PID 1.
	{name: "busybox init with a restart action", mountNS: true, bootCap: 'y',
		argv:    busyboxInit(bbSleep+"::restart:/bin/sleep 2000\n", true),
		program: "busybox-init", kids: 1, grace: 4 * time.Second,
		want: map[send]want{
			quitHost: bbRow("depends", alive, "`/bin/sleep 2000`")}},
}

func init() { kernelCases = append(kernelCases, busyboxInitCases...) }

// TestParseInittab: busybox's inittab syntax (init.c parse_inittab with
// config_read's PARSE_GREEDY|PARSE_EOL_COMMENTS).
func TestParseInittab(t *testing.T) {
	got := procinspect.ParseInittab([]byte("# comment\n" +
		"::sysinit:/etc/init.d/rcS\n" +
		"tty1::respawn:/sbin/getty 38400 tty1\n" +
		"::shutdown:/bin/umount -a -r # trailing comment\n" +
		"::ctrlaltdel:/sbin/re\\\nboot\n" + // a continued line
		"::restart:/sbin/init:with:colons\n" + // the command takes the rest
		"::bogus:/bin/x\n" + // an unknown action: rejected
		"::once:\n" + // no command: rejected
		"too:few\n" +
		" ::wait:/bin/w\n")) // not trimmed: the id is " "
	want := map[string][]string{
		"sysinit":    {"/etc/init.d/rcS"},
		"respawn":    {"/sbin/getty 38400 tty1"},
		"shutdown":   {"/bin/umount -a -r "},
		"ctrlaltdel": {"/sbin/reboot"},
		"restart":    {"/sbin/init:with:colons"},
		"wait":       {"/bin/w"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ParseInittab:\n got %v\nwant %v", got, want)
	}
}

// TestBusyboxInitHelperRefuses: the busybox init helper refuses, before it
// mounts anything, when it is not PID 1 of a new PID namespace or shares
// the test's mount namespace, so a busybox init row can never run where
// its actions reach the host: the row then fails (start wants "ready").
func TestBusyboxInitHelperRefuses(t *testing.T) {
	nstest.NeedNamespaces(t)
	bins := buildInits(t)
	for _, c := range []struct {
		clone uintptr
		says  string
	}{
		{0, "not PID 1"},
		{syscall.CLONE_NEWPID, "still in the test's mount namespace"},
	} {
		argv := busyboxInit(bbSleep, true)(bins)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: c.clone}
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || !strings.Contains(string(out), "refused: ") || !strings.Contains(string(out), c.says) {
			t.Errorf("helper with clone flags %#x: %v, said %q; want exit 3 and a refusal that says %q", c.clone, err, out, c.says)
		}
	}
}
