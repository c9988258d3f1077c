package procinspect

import (
	"strings"
	"testing"
)

// TestReadSystemdInit: `container` in systemd's environment decides whether
// it sees a container (set: yes, whatever the value, escaped when shown;
// empty: no; unset or unread: unknown), and CAP_SYS_BOOT whether its
// reboot(2) can end the namespace.
func TestReadSystemdInit(t *testing.T) {
	pr := Proc{PID: 7, dir: t.TempDir()}
	for _, c := range []struct {
		env    map[string]string
		envErr string
		want   Flag
		has    string
	}{
		{map[string]string{"container": "podman"}, "", KnownFlag(true), "`container=podman`"},
		{map[string]string{"container": "x\x1b[2J"}, "", KnownFlag(true), `\x1b[2J`},
		{map[string]string{"container": ""}, "", KnownFlag(false), "set empty"},
		{map[string]string{}, "", Flag{}, "not set"},
		{nil, "permission denied", Flag{}, "permission denied"},
	} {
		p := &Process{Env: c.env, EnvErr: c.envErr, Status: Status{CapEff: Of(uint64(0))}}
		sd := readSystemdInit(pr, p)
		if sd.Container != c.want || !strings.Contains(sd.ContainerWhy, c.has) || strings.Contains(sd.ContainerWhy, "\x1b") {
			t.Errorf("env %q: container %v (%s); want %v, naming %q", c.env, sd.Container, sd.ContainerWhy, c.want, c.has)
		}
		if !sd.Boot.Known || sd.Boot.V || !strings.Contains(sd.BootWhy, "CAP_SYS_BOOT") {
			t.Errorf("no CAP_SYS_BOOT: boot %v (%s)", sd.Boot, sd.BootWhy)
		}
	}
}
