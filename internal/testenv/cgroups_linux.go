package testenv

import (
	"bufio"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

var mountinfoUnescape = strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)

// LockCgroups serializes the tests that create or compare the host's
// cgroups across test processes running at the same time (go test runs
// packages in parallel, and two people may run the suite): it holds
// flock(2) on the first cgroup2 mount's directory (else the name=systemd
// one's) until the test ends. Without either it does nothing.
func LockCgroups(t testing.TB) {
	t.Helper()
	dir := cgroupLockDir(t)
	if dir == "" {
		return
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	t.Cleanup(func() { unix.Close(fd) }) // closing releases the lock
	for {
		err = unix.Flock(fd, unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		t.Fatalf("flock %s: %v", dir, err)
	}
}

// cgroupLockDir is the first cgroup2 mount point in this process's
// mountinfo, else the name=systemd v1 one, else "".
func cgroupLockDir(t testing.TB) string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatalf("open mountinfo: %v", err)
	}
	defer f.Close()
	var systemd string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := slices.Index(fields, "-")
		if sep < 5 || len(fields) < sep+4 {
			continue
		}
		dir := mountinfoUnescape.Replace(fields[4])
		switch fstype, superOpts := fields[sep+1], fields[sep+3]; {
		case fstype == "cgroup2":
			return dir
		case fstype == "cgroup" && systemd == "" && slices.Contains(strings.Split(superOpts, ","), "name=systemd"):
			systemd = dir
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read mountinfo: %v", err)
	}
	return systemd
}
