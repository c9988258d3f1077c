package procinspect

import "testing"

// TestReadsChildStatusSystemd: systemd's children have their status read
// again at every rescan only when systemd sees a container (its stop is
// then judged from them, readsChildren); a systemd that does not see one
// halts or reboots, whatever its children are.
func TestReadsChildStatusSystemd(t *testing.T) {
	for _, c := range []struct {
		init *SystemdInit
		want bool
	}{
		{nil, false},
		{&SystemdInit{Container: Flag{Known: true, V: false}}, false},
		{&SystemdInit{Container: Flag{}}, false},
		{&SystemdInit{Container: Flag{Known: true, V: true}}, true},
	} {
		p := &Process{PID: 1, Status: &Status{Name: "systemd"}, Cmdline: []string{"/lib/systemd/systemd"}, SystemdInit: c.init}
		if Identify(p) != ProgSystemd {
			t.Fatalf("%+v is not systemd to Identify", p)
		}
		if got := readsChildStatus(p); got != c.want {
			t.Errorf("systemd with %+v: readsChildStatus %v, want %v", c.init, got, c.want)
		}
	}
	if sh := (&Process{PID: 1, Status: &Status{Name: "sh"}, Cmdline: []string{"/bin/sh"}}); !readsChildStatus(sh) {
		t.Errorf("a shell's children's status is not read again")
	}
}
