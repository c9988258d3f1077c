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
