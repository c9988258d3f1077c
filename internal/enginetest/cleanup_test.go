package enginetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The private dockerd leaves nothing behind, even when it could not stop
// cleanly (StopDaemon's SIGKILL after 20 s on a loaded machine, done here
// at once): no mount below its directory (its network namespace's bind
// mount at exec/netns/default stayed on the machine), and not the
// directory, nor containerd, its shims or the containers.
func TestDockerLeavesNothing(t *testing.T) {
	var dir, id string
	t.Run("run", func(t *testing.T) {
		d := StartDocker(t)
		id = d.Run(t, "cleanup", nil, "sleep", "1000").ID
		dir = d.Dir
		d.cmd.Process.Kill()
	})
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(unescapeMount(f[4]), dir+"/") {
			t.Errorf("left mounted: %s", f[4])
		}
	}
	time.Sleep(100 * time.Millisecond) // SIGKILL is delivered, not yet reaped
	if b, err := exec.Command("pgrep", "-f", dir).Output(); len(b) > 0 {
		t.Errorf("processes left running from %s: %s (%v)", dir, b, err)
	}
	// runc's cgroups of the killed container (cgroupfs driver: docker/<id>).
	if cgs, _ := filepath.Glob("/sys/fs/cgroup/*/docker/" + id); len(cgs) > 0 {
		t.Errorf("cgroups left: %q", cgs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there (%v)", dir, err)
	}
}
