package procinspect

// Targets a person names: a PID, a PID namespace's inode, or a container
// by name or ID prefix (explain, send, the UI's filter, watch).

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// pidMaxLimit is PID_MAX_LIMIT on 64-bit kernels (include/linux/threads.h):
// no PID is ever larger, so a larger number is never a PID even when the
// procfs' sys/kernel/pid_max cannot be read.
const pidMaxLimit = 4 * 1024 * 1024

// PIDMax is the kernel's pid_max as the procfs at root says
// (sys/kernel/pid_max), or PID_MAX_LIMIT when that cannot be read (a copy
// of a procfs, a fixture): a number above it is never a PID.
func PIDMax(root string) int {
	b, err := readFile(filepath.Join(root, "sys", "kernel", "pid_max"), maxLine, false)
	if err != nil {
		return pidMaxLimit
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 || n > pidMaxLimit {
		return pidMaxLimit
	}
	return n
}

// PlainPID returns the PID arg names when it is a number from 1 to pidMax:
// such a target is a PID, whatever else it might match.
func PlainPID(arg string, pidMax int) (int, bool) {
	n, err := strconv.ParseUint(arg, 10, 64)
	if err != nil || n == 0 || n > uint64(pidMax) || arg[0] == '+' {
		return 0, false
	}
	return int(n), true
}

// Target is what a person's target resolved to.
type Target struct {
	// PID is the process, as the snapshot's procfs names it.
	PID int
	// StartTime is its start time in the snapshot (0 when unreadable): a
	// sender checks the process still has it.
	StartTime uint64
	// NS is the namespace whose init the target is; nil for a plain PID.
	NS *Namespace
	// How says how arg was read: "PID", "PID namespace 4026532201",
	// "container docker web".
	How string
}

// AmbiguousError is a target that names more than one namespace: each
// candidate is listed, and nothing is chosen for the person.
type AmbiguousError struct {
	Arg        string
	How        string // "container name", "container ID prefix"
	Candidates []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s matches %d containers by %s; name one of them:\n  %s", Printable(e.Arg), len(e.Candidates),
		e.How, strings.Join(e.Candidates, "\n  "))
}

// minIDPrefix is the shortest ID prefix a target may be (docker ps' IDs
// are 12 digits; fewer than 4 matches too much by chance).
const minIDPrefix = 4

// Resolve reads a target in the order explain, send and watch document: a
// number up to pidMax is a PID (it need not be in the snapshot: the caller
// says whether it exists); a larger number a PID namespace's inode; else a
// container's name (docker, podman, CRI-O and containerd names; a pod's
// container as namespace/pod/container; lxc and nspawn names), then a
// prefix of at least 4 hex digits of its ID. A namespace or container
// resolves to its init. Names come from the snapshot's engine facts (read
// only through daemons that could have made the container) and, for lxc
// and nspawn, from the cgroup path; a name that is also another
// container's ID prefix is ambiguous, never the name's alone.
func (s *Snapshot) Resolve(arg string, pidMax int) (Target, error) {
	if pid, ok := PlainPID(arg, pidMax); ok {
		t := Target{PID: pid, How: "PID"}
		if p := s.Process(pid); p != nil {
			t.StartTime = p.StartTime
		}
		return t, nil
	}
	if ino, err := strconv.ParseUint(arg, 10, 64); err == nil && arg[0] != '+' {
		if ino <= uint64(pidMax) {
			return Target{}, fmt.Errorf("%s is not a PID", arg)
		}
		for _, ns := range s.Namespaces {
			if ns.ID.HasInode() && ns.ID.Ino == ino {
				return initTarget(ns, fmt.Sprintf("PID namespace %d", ino))
			}
		}
		// Digits are hex digits too: a container ID may start with
		// "03771539". No namespace has that inode, so it can only be that.
		if len(arg) >= minIDPrefix {
			if m := s.matchContainers(arg, containerIDHasPrefix); len(m) > 0 {
				return s.oneOf(arg, "container ID prefix", m)
			}
		}
		return Target{}, fmt.Errorf("%s is above pid_max (%d), so it names a PID namespace by inode, and no visible PID namespace has that inode (nor does any container's ID start with it)", arg, pidMax)
	}
	if arg == "" {
		return Target{}, fmt.Errorf("an empty target names nothing")
	}
	byName := s.matchContainers(arg, ContainerNames)
	var byID []*Namespace
	if len(arg) >= minIDPrefix && isHex(arg) {
		byID = s.matchContainers(strings.ToLower(arg), containerIDHasPrefix)
	}
	switch {
	case len(byName) > 0 && len(byID) > 0:
		// A name is whatever its owner chose (a Kubernetes container, an
		// lxc cgroup): one that looks like another container's ID prefix
		// must not take its place. Both are candidates.
		m := byName
		for _, ns := range byID {
			if !slices.Contains(m, ns) {
				m = append(m, ns)
			}
		}
		return s.oneOf(arg, "container name or ID prefix", m)
	case len(byName) > 0:
		return s.oneOf(arg, "container name", byName)
	case len(byID) > 0:
		return s.oneOf(arg, "container ID prefix", byID)
	}
	why := "no container's name is " + Printable(arg)
	if isHex(arg) {
		if len(arg) < minIDPrefix {
			why += fmt.Sprintf(", and an ID prefix needs at least %d hex digits", minIDPrefix)
		} else {
			why += " and no container's ID starts with it"
		}
	}
	return Target{}, fmt.Errorf("%s (names come from the engines' files: a container whose engine files are not readable here has no name)", why)
}

// oneOf is the single namespace of m, or the list of candidates.
func (s *Snapshot) oneOf(arg, how string, m []*Namespace) (Target, error) {
	if len(m) == 1 {
		return initTarget(m[0], "container "+ContainerLabel(m[0]))
	}
	var c []string
	for _, ns := range m {
		line := ContainerLabel(ns) + "  " + containerID(ns)
		if ns.Init != nil {
			line += fmt.Sprintf("  init PID %d", ns.Init.PID)
		}
		c = append(c, line)
	}
	sort.Strings(c)
	return Target{}, &AmbiguousError{Arg: arg, How: how, Candidates: c}
}

func initTarget(ns *Namespace, how string) (Target, error) {
	if ns.Init == nil {
		return Target{}, fmt.Errorf("%s: its init is not visible in this procfs", how)
	}
	return Target{PID: ns.Init.PID, StartTime: ns.Init.StartTime, NS: ns, How: how}, nil
}

// matchContainers lists the namespaces whose container matches arg.
func (s *Snapshot) matchContainers(arg string, match func(*Namespace, string) bool) []*Namespace {
	var out []*Namespace
	for _, ns := range s.Namespaces {
		if ns.Container() != nil && match(ns, arg) {
			out = append(out, ns)
		}
	}
	return out
}

// ContainerNames reports whether name is one of the names of ns's
// container: its engine's name, a pod's namespace/pod/container, or the
// cgroup's name of an lxc or nspawn container. Exact, case-sensitive.
func ContainerNames(ns *Namespace, name string) bool {
	for _, n := range containerNames(ns) {
		if n == name {
			return true
		}
	}
	return false
}

func containerNames(ns *Namespace) []string {
	var out []string
	if c := ns.Container(); c != nil && c.Name != "" {
		out = append(out, c.Name)
	}
	if m := ns.Engine(); m != nil {
		if m.Name != "" {
			out = append(out, m.Name)
		}
		if m.Pod.Namespace != "" && m.Pod.Name != "" && m.ContainerName != "" {
			out = append(out, m.Pod.Namespace+"/"+m.Pod.Name+"/"+m.ContainerName)
		}
	}
	return out
}

// containerIDHasPrefix reports whether ns's container ID starts with the
// lowercase hex prefix.
func containerIDHasPrefix(ns *Namespace, prefix string) bool {
	c := ns.Container()
	return c != nil && c.ID != "" && strings.HasPrefix(c.ID, prefix)
}

// ContainerMatches reports whether a person's text names ns's container:
// one of its names exactly, or a prefix of its ID of at least 4 hex
// digits (the UI's filter).
func ContainerMatches(ns *Namespace, text string) bool {
	if ns.Container() == nil {
		return false
	}
	return ContainerNames(ns, text) || len(text) >= minIDPrefix && isHex(text) && containerIDHasPrefix(ns, strings.ToLower(text))
}

// ContainerLabel names ns's container for a person, escaped: "docker web",
// "kubernetes default/web-0/app", or the short ID.
func ContainerLabel(ns *Namespace) string {
	c := ns.Container()
	if c == nil {
		return "-"
	}
	name := c.Short()
	if m := ns.Engine(); m != nil {
		switch {
		case m.Pod.Namespace != "" && m.Pod.Name != "" && m.ContainerName != "":
			name = m.Pod.Namespace + "/" + m.Pod.Name + "/" + m.ContainerName
		case m.Name != "":
			name = m.Name
		}
	}
	return c.Runtime + " " + Printable(name)
}

func containerID(ns *Namespace) string {
	if c := ns.Container(); c != nil && c.ID != "" {
		return Printable(c.Short())
	}
	return "-"
}

func isHex(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return false
		}
	}
	return s != ""
}
