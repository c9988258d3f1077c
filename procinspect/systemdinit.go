package procinspect

// SystemdInit is what a systemd namespace init's stop depends on besides
// the signal: whether systemd believes it runs in a container, and whether
// the reboot(2) its shutdown ends in can end its PID namespace.
//
// systemd decides "container" in detect_container (src/basic/virt.c): as
// PID 1 the variable `container` in its own environment is authoritative
// when set (empty: no container; any value: a container, podman sets
// "podman"); unset, it looks at files and cgroup namespaces, which sigview
// does not follow. In a container its shutdown (src/shutdown/shutdown.c)
// calls reboot(2) and, refused for want of CAP_SYS_BOOT, exits 0; allowed,
// the kernel kills it (reboot_pid_ns). Its crash handler
// (src/core/main.c, freeze_or_exit_or_reboot) exits 255 in a container and
// freezes elsewhere.
type SystemdInit struct {
	// Container reports whether systemd sees a container: known only when
	// `container` is set in its environment. ContainerWhy says how it was
	// found, or why it is unknown.
	Container    Flag
	ContainerWhy string
	// Boot reports whether reboot(2) from the init ends its namespace (as
	// for busybox init, rebootEndsNamespace); BootWhy says how.
	Boot    Flag
	BootWhy string
}

// readSystemdInit works out, for a systemd namespace init, what its stop
// depends on, from the `container` variable the scan kept (readInitEnv)
// and its capabilities.
func readSystemdInit(pr Proc, p *Process) *SystemdInit {
	out := &SystemdInit{}
	out.Boot, out.BootWhy = rebootEndsNamespace(pr, p.Status)
	v, set := p.Env["container"]
	switch {
	case p.Env == nil:
		out.ContainerWhy = "whether systemd sees a container is unknown: its environment was not read (" + p.EnvErr + ")"
	case !set:
		out.ContainerWhy = "whether systemd sees a container is unknown: `container` is not set in its environment, so systemd looks at files and cgroup namespaces, which sigview does not follow"
	case v == "":
		out.Container, out.ContainerWhy = KnownFlag(false), "`container` is set empty in its environment: systemd sees no container"
	default:
		out.Container, out.ContainerWhy = KnownFlag(true), "systemd sees a container (`container="+Printable(v)+"` in its environment)"
	}
	return out
}

// readsChildren reports whether the scan reads p's children in depth: a
// forwarder's and a supervisor's (Program.ReadsChildren), but systemd's
// only when it sees a container: elsewhere its halt is the machine's, and
// its children decide nothing sigview predicts.
func readsChildren(p *Process) bool {
	pg := Identify(p)
	if pg == ProgSystemd {
		return p.SystemdInit != nil && p.SystemdInit.Container.Known && p.SystemdInit.Container.V
	}
	return pg.ReadsChildren()
}
