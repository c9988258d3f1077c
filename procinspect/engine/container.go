package engine

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Container names the container a process belongs to, from its cgroup path
// (docs/containers.md). No engine is asked: the path in /proc/PID/cgroup is
// the only evidence.
type Container struct {
	// Runtime is the engine: "docker", "containerd", "cri-o", "podman",
	// "kubernetes" (only the pod and the container ID are known, from the
	// kubelet's cgroupfs layout), "lxc" or "systemd-nspawn".
	Runtime string
	// ID is the container ID: 64 lowercase hex digits for docker,
	// containerd (CRI, nerdctl), cri-o, podman and kubernetes; the
	// free-form name a plain containerd (ctr) container was given; "" for
	// lxc and systemd-nspawn, which have names instead.
	ID string
	// PodUID is the Kubernetes pod UID with dashes, as the API shows it
	// (systemd slices write it with underscores; they are converted). It
	// is "" outside a pod.
	PodUID string
	// Name is the container name for lxc and systemd-nspawn (nspawn's
	// systemd escaping, such as \x2d, undone), "" otherwise.
	Name string
	// Path is the cgroup path the match came from, after " (deleted)" is
	// stripped. An Outer container carries the same path: the evidence
	// for both is one line of /proc/PID/cgroup.
	Path string
	// Outer is the container this one runs inside (a kind node, Docker in
	// Docker, nspawn or LXC running an engine), nil if none.
	Outer *Container
}

// Runtime names used in Container.Runtime.
const (
	runtimeDocker     = "docker"
	runtimeContainerd = "containerd"
	runtimeCRIO       = "cri-o"
	runtimePodman     = "podman"
	runtimeKubernetes = "kubernetes"
	runtimeLXC        = "lxc"
	runtimeNspawn     = "systemd-nspawn"
)

// Short returns the 12-character short ID that docker ps and podman ps
// print, or the name for lxc and systemd-nspawn. A plain containerd ID that
// is not 64 hex digits is a name and is returned whole.
func (c Container) Short() string {
	switch {
	case c.Name != "":
		return c.Name
	case isHexID(c.ID):
		return c.ID[:12]
	default:
		return c.ID
	}
}

// ParseCgroup parses the text of /proc/PID/cgroup (cgroups(7); v1, v2 or
// hybrid), picks the line per docs/containers.md §1, and matches its path per
// §4.2/§4.4 from the innermost component outward.
//
// The line used is the "0::" line when its path is not "/"; otherwise the
// name=systemd line when its path is not "/"; otherwise the first other
// line whose path is not "/". (A name=systemd line at "/" is passed over
// like a "/" controller line: it cannot name a container, and another
// hierarchy might.)
//
// It returns nil, nil when no container matches, including a file whose
// paths are all "/" (a host process, or any process read from inside a
// private cgroup namespace). It returns an error only for text that is not
// a cgroup file: no line of the form ID:CONTROLLERS:PATH.
func ParseCgroup(b []byte) (*Container, error) {
	path, err := pickPath(string(b))
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, nil
	}
	return matchPath(path), nil
}

// ContainerOf reads root/PID/cgroup and parses it with ParseCgroup. Errors
// from reading pass through unwrapped, so a vanished process satisfies
// errors.Is(err, fs.ErrNotExist) (or syscall.ESRCH on a read race).
func ContainerOf(root string, pid int) (*Container, error) {
	path := filepath.Join(root, strconv.Itoa(pid), "cgroup")
	// As every engine file is read (place.read): only a regular file,
	// bounded, so a FIFO or a device in a --proc tree neither blocks nor
	// is opened.
	b, err := place{Root: root, Path: "/" + strconv.Itoa(pid) + "/cgroup"}.read()
	if err != nil {
		return nil, err
	}
	c, err := ParseCgroup(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// deletedSuffix is what the kernel's proc_cgroup_show appends to the path
// of a cgroup v2 cgroup that has been removed (seen for zombies).
const deletedSuffix = " (deleted)"

// pickPath returns the path of the line to match, "" when every path is
// "/", or an error when no line has the cgroup file's shape.
func pickPath(text string) (string, error) {
	var unified, systemd, other string
	valid := false
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		id, rest, ok1 := strings.Cut(line, ":")
		ctrls, path, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 || !isDigits(id) || !strings.HasPrefix(path, "/") {
			continue
		}
		valid = true
		path = strings.TrimSuffix(path, deletedSuffix)
		if path == "/" {
			// Seen: "3:rdma:/" next to kubepods paths on every other line.
			continue
		}
		switch {
		case id == "0" && ctrls == "":
			if unified == "" {
				unified = path
			}
		case slices.Contains(strings.Split(ctrls, ","), "name=systemd"):
			if systemd == "" {
				systemd = path
			}
		default:
			if other == "" {
				other = path
			}
		}
	}
	if !valid {
		first, _, _ := strings.Cut(text, "\n")
		if len(first) > 40 {
			first = first[:40] + "…"
		}
		return "", fmt.Errorf("not a cgroup file: no ID:CONTROLLERS:PATH line (first line %q)", first)
	}
	switch {
	case unified != "":
		return unified, nil
	case systemd != "":
		return systemd, nil
	default:
		return other, nil
	}
}

// matchPath matches a cgroup path against the engine patterns.
func matchPath(path string) *Container {
	var comps []string
	for comp := range strings.SplitSeq(path, "/") {
		if comp != "" {
			comps = append(comps, comp)
		}
	}
	return scan(comps, path)
}

// scan returns the innermost container named by comps, with the containers
// further out chained through Outer. Levels below a container that no
// pattern knows (the /container and /payload children, a container's own
// systemd slices) are passed over.
func scan(comps []string, path string) *Container {
	for i := len(comps) - 1; i >= 0; i-- {
		c, start, ok := matchAt(comps, i)
		if !ok {
			continue
		}
		if c.Runtime == runtimeNspawn && i+1 < len(comps) && comps[i+1] == "supervisor" {
			// The /supervisor child holds systemd-nspawn itself, not the
			// container. nspawn runs in whatever contains the scope.
			return scan(comps[:start], path)
		}
		c.Path = path
		c.Outer = scan(comps[:start], path)
		return &c
	}
	return nil
}

// scopePrefixes are the engines that name a cgroup (a systemd scope, or a
// plain directory with the cgroupfs driver) "<prefix><64 hex>". Requiring
// the 64-hex ID keeps out libpod-conmon-, crio-conmon-, podman-pause- and
// the daemons' own units (docs/containers.md §4 rule 2).
var scopePrefixes = []struct{ prefix, runtime string }{
	{"docker-", runtimeDocker},
	{"cri-containerd-", runtimeContainerd},
	{"nerdctl-", runtimeContainerd},
	{"crio-", runtimeCRIO},
	{"libpod-payload-", runtimePodman}, // podman --cgroups=split
	{"libpod-", runtimePodman},
}

// mangledPrefixes are the engines found in systemd's "slice:prefix:id"
// notation when it is written into a v1 path literally, e.g.
// "kubepods-besteffort-pod<uid_>.slice:cri-containerd:<id>".
var mangledPrefixes = map[string]string{
	"cri-containerd": runtimeContainerd,
	"crio":           runtimeCRIO,
	"docker":         runtimeDocker,
}

// containerdNamespaces are the containerd namespaces whose default cgroup
// path "/<namespace>/<id>" (containerd's populateDefaultUnixSpec) is taken
// as a plain containerd container. The ID there is free-form, so only
// these well-known namespaces are trusted, at the top of the path.
var containerdNamespaces = map[string]bool{
	"default":  true, // ctr, nerdctl
	"k8s.io":   true, // the CRI plugin's namespace
	"moby":     true, // Docker's containerd namespace
	"buildkit": true,
}

// matchAt tries the engine patterns on comps[i], with comps[:i] as its
// parents. It returns the container (without Path and Outer) and the index
// of the first component the match used; levels before it may name an
// outer container.
func matchAt(comps []string, i int) (Container, int, bool) {
	comp := comps[i]
	parent := ""
	if i > 0 {
		parent = comps[i-1]
	}

	// systemd scopes and prefixed directories: docker-<id>.scope,
	// cri-containerd-<id>.scope, crio-<id>[.scope], libpod-<id>[.scope], ...
	name := strings.TrimSuffix(comp, ".scope")
	for _, p := range scopePrefixes {
		if id, ok := strings.CutPrefix(name, p.prefix); ok && isHexID(id) {
			return Container{Runtime: p.runtime, ID: id, PodUID: podUID(comps[:i])}, i, true
		}
	}

	// systemd's slice:prefix:id notation written literally (cgroup v1).
	if slice, rest, ok := strings.Cut(comp, ":"); ok {
		prefix, id, ok := strings.Cut(rest, ":")
		if rt := mangledPrefixes[prefix]; ok && rt != "" && isHexID(id) {
			parents := append(comps[:i:i], slice)
			return Container{Runtime: rt, ID: id, PodUID: podUID(parents)}, i, true
		}
	}

	// cgroupfs layouts with a bare ID: /docker/<id> (also nested, Docker in
	// Docker), and the kubelet's /kubepods/[<qos>/]pod<uid>/<id>.
	if isHexID(comp) {
		if parent == "docker" {
			return Container{Runtime: runtimeDocker, ID: comp}, i - 1, true
		}
		if uid := podUID(comps[:i]); uid != "" {
			return Container{Runtime: runtimeKubernetes, ID: comp, PodUID: uid}, i, true
		}
	}

	// Plain containerd (ctr): /<namespace>/<id>, with a free-form ID. The
	// namespace must be the top of the path, or sit right below another
	// container's cgroup (containerd running inside a container).
	if containerdNamespaces[parent] && comp != ".." && (i == 1 || endsInContainer(comps[:i-1])) {
		return Container{Runtime: runtimeContainerd, ID: comp}, i - 1, true
	}

	// LXC, LXD, Incus: lxc.payload.<name>; older lxc.payload/<name> and
	// lxc/<name>. The lxc.monitor.* cgroups hold the monitor: no match.
	if n, ok := strings.CutPrefix(comp, "lxc.payload."); ok && n != "" {
		return Container{Runtime: runtimeLXC, Name: n}, i, true
	}
	if (parent == "lxc.payload" || parent == "lxc") && comp != ".." {
		return Container{Runtime: runtimeLXC, Name: comp}, i - 1, true
	}

	// systemd-nspawn: machine-<name>.scope, name systemd-escaped.
	if n, ok := strings.CutPrefix(comp, "machine-"); ok && strings.HasSuffix(n, ".scope") {
		n = unescapeUnit(strings.TrimSuffix(n, ".scope"))
		if n != "" && !isLibvirtGuest(n) {
			return Container{Runtime: runtimeNspawn, Name: n}, i, true
		}
	}
	return Container{}, 0, false
}

// endsInContainer reports whether the last of comps is a container's own
// cgroup.
func endsInContainer(comps []string) bool {
	if len(comps) == 0 {
		return false
	}
	_, _, ok := matchAt(comps, len(comps)-1)
	return ok
}

// podUID returns the Kubernetes pod UID named by the last of parents, or "".
// The systemd driver writes it as "…kubepods…-pod<uid_>.slice" with
// underscores for dashes (docs/containers.md §3); the cgroupfs driver as
// "pod<uid>" below a "kubepods" level.
func podUID(parents []string) string {
	if len(parents) == 0 {
		return ""
	}
	p := parents[len(parents)-1]
	if s, ok := strings.CutSuffix(p, ".slice"); ok {
		j := strings.LastIndex(s, "-pod")
		if j < 0 || !strings.Contains(s[:j], "kubepods") {
			return ""
		}
		uid := strings.ReplaceAll(s[j+len("-pod"):], "_", "-")
		if !isPodUID(uid) {
			return ""
		}
		return uid
	}
	uid, ok := strings.CutPrefix(p, "pod")
	if !ok || !isPodUID(uid) || !slices.Contains(parents[:len(parents)-1], "kubepods") {
		return ""
	}
	return uid
}

// isPodUID reports whether s is a pod UID: a lowercase UUID, or 32 hex
// digits (static pods get a hash of their manifest as UID).
func isPodUID(s string) bool {
	switch len(s) {
	case 32:
		return isLowerHex(s)
	case 36:
		for i := range len(s) {
			switch i {
			case 8, 13, 18, 23:
				if s[i] != '-' {
					return false
				}
			default:
				if !isLowerHex(s[i : i+1]) {
					return false
				}
			}
		}
		return true
	}
	return false
}

// isLibvirtGuest reports whether an (unescaped) machine name is one that
// libvirt registers with systemd-machined: "qemu-<N>-<name>" (a virtual
// machine whose processes live in the host's PID namespace) or
// "lxc-<N>-<name>" (a libvirt-lxc domain, not systemd-nspawn).
func isLibvirtGuest(name string) bool {
	if strings.HasPrefix(name, "qemu-") {
		return true
	}
	rest, ok := strings.CutPrefix(name, "lxc-")
	if !ok {
		return false
	}
	num, _, ok := strings.Cut(rest, "-")
	return ok && isDigits(num)
}

// unescapeUnit undoes systemd's unit-name escaping of "\xNN" sequences
// (systemd-escape(1)), e.g. "my\x2dbox" → "my-box".
func unescapeUnit(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isHexID reports whether s is a 64-digit lowercase hex container ID.
func isHexID(s string) bool { return len(s) == 64 && isLowerHex(s) }

func isLowerHex(s string) bool {
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
