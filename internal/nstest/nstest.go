// Package nstest holds what sigview's tests share for creating real PID
// namespaces.
package nstest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// NeedNamespaces guards a test that creates PID namespaces. It skips only
// on a machine where the test is not root and SIGVIEW_REQUIRE_NS is unset;
// with SIGVIEW_REQUIRE_NS set it fails instead. Once it
// returns, every failure to create a namespace is a test failure.
func NeedNamespaces(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("SIGVIEW_REQUIRE_NS") != "" {
		t.Fatalf("SIGVIEW_REQUIRE_NS is set but euid is %d: creating PID namespaces needs root", os.Geteuid())
	}
	t.Skip("creating PID namespaces needs root; set SIGVIEW_REQUIRE_NS=1 to make this a failure")
}

// Build runs each command (a compiler invocation, typically) in order and
// returns the first failure with its output.
func Build(cmds ...[]string) error {
	for _, argv := range cmds {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	return nil
}

// KnownSkips is the one list of skips that SIGVIEW_REQUIRE_NS allows: each
// depends on how the machine is configured, not on what the tests were
// given. Any other capability-dependent skip fails under SIGVIEW_REQUIRE_NS.
var KnownSkips = map[string]string{
	"cgroup-v1-systemd":    "a pure cgroup v2 machine has no name=systemd v1 hierarchy to place a process in",
	"cgroup-unified-place": "without a cgroup2 mount a process cannot be placed on the unified hierarchy",
	"unprivileged-userns":  "the kernel refuses unprivileged user namespaces (a sysctl or an LSM says so)",
	"fixture-x86_64":       "the fixture procfs was captured on x86_64: its syscall files hold x86_64 numbers",
}

// Skip skips a test for a missing capability of the machine. Without
// SIGVIEW_REQUIRE_NS it just skips. With it, a key on KnownSkips skips and
// is recorded in the file $SIGVIEW_SKIP_LOG names (.ci/run prints it at the
// end of the run); any other key fails the test.
func Skip(t testing.TB, key, format string, args ...any) {
	t.Helper()
	why := fmt.Sprintf(format, args...)
	if os.Getenv("SIGVIEW_REQUIRE_NS") == "" {
		t.Skip(why)
	}
	if _, ok := KnownSkips[key]; !ok {
		t.Fatalf("SIGVIEW_REQUIRE_NS is set, and %s is not on nstest.KnownSkips: %s", key, why)
	}
	if log := os.Getenv("SIGVIEW_SKIP_LOG"); log != "" {
		if f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s: %s (%s: %s)\n", t.Name(), why, key, KnownSkips[key])
			f.Close()
		}
	}
	t.Skip(why + " (" + key + ", allowed by nstest.KnownSkips)")
}
