package procinspect

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Fingerprint is every field of every process and namespace of s, as
// text (pointers as addresses): a rescan must leave the snapshot it builds
// on as it was, though it shares its processes (share.go).
func Fingerprint(s *Snapshot) string {
	var b strings.Builder
	for _, p := range s.Processes {
		fmt.Fprintf(&b, "%+v\n", *p)
	}
	for _, ns := range s.Namespaces {
		fmt.Fprintf(&b, "%+v\n", *ns)
	}
	return b.String()
}

// EventsDerived is how many rescans took their listing from e's events.
func EventsDerived(e *Events) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.derived
}

// Regrouped reports whether s took its grouping from the snapshot before
// (regroup.go).
func Regrouped(s *Snapshot) bool { return s.regrouped }

// Subscribe sends the kernel a subscription without OpenEvents' check of
// sigview's PID namespace, and unsubscribes: the kernel's own answer.
func Subscribe() error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_CONNECTOR)
	if err != nil {
		return err
	}
	e := &Events{fd: fd, buf: make([]byte, 64<<10), exited: map[int]bool{}}
	defer e.Close()
	return e.subscribe()
}

// ClearRun zeroes the leader's run time the threads ts were read with
// (Thread.run): how a rescan knows a leader has not run, shown nowhere.
func ClearRun(ts []Thread) {
	for i := range ts {
		ts[i].run = 0
	}
}

// OnRead has f told the path of every file and directory scans read from
// now until stop is called (readHook).
func OnRead(f func(path string)) (stop func()) {
	readHook.Store(&f)
	return func() { readHook.Store(nil) }
}
