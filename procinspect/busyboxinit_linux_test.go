package procinspect_test

// busybox init really run as PID 1 (docs/kernel-signals.md §8.2). Its
// signals end in shutdown actions, kill(-1) and reboot(2), so it runs in a
// root of its own (privateroot_linux_test.go) with an /etc/inittab the test
// wrote: busybox's built-in shutdown actions (`umount -a -r`, which
// remounts busy file systems read-only) must never run where they could
// reach the host's mounts, and the helper refuses to exec busybox init
// without an inittab.

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// busyboxInit runs busybox init as PID 1 in a root of its own whose
// /etc/inittab is the given text; bootCap keeps CAP_SYS_BOOT (else it is
// dropped from the bounding set before the exec, as docker's default
// capabilities leave it out).
func busyboxInit(inittab string, bootCap bool) func(b binaries) []string {
	return privateRoot(map[string]string{"etc/inittab": inittab}, bootCap, "/bin/busybox", "init")
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

// TestPrivateRootHelperRefuses: the private-root helper refuses, before it
// mounts anything, when it is not PID 1 of a new PID namespace or shares
// the test's mount namespace, so a busybox init row can never run where
// its actions reach the host: the row then fails (start wants "ready").
func TestPrivateRootHelperRefuses(t *testing.T) {
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
