package procinspect

import (
	"errors"
	"strings"
	"testing"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect/engine"
)

// TestResolve checks the order a target is read in: a number up to pid_max
// is a PID, a larger one an inode, then a container name, then an ID
// prefix of at least 4 hex digits; several matches are listed, never one
// picked.
func TestResolve(t *testing.T) {
	mk := func(ino uint64, pid int, c *engine.Container, m *engine.Metadata) *Namespace {
		return &Namespace{ID: nsutil.NSID{Ino: ino}, Level: 1, Init: &Process{PID: pid, StartTime: uint64(pid) * 10, Container: c, Engine: m}}
	}
	dock := func(id, name string) (*engine.Container, *engine.Metadata) {
		return &engine.Container{Runtime: "docker", ID: id}, &engine.Metadata{Runtime: "docker", ID: id, Name: name}
	}
	c1, m1 := dock("beef01"+strings.Repeat("0", 58), "web")
	c2, m2 := dock("beef02"+strings.Repeat("0", 58), "worker")
	c3, m3 := dock("cafe00"+strings.Repeat("0", 58), "beef") // a name that looks like an ID prefix
	c4, m4 := dock("d00d00"+strings.Repeat("0", 58), "app-1")
	c6, m6 := dock("03771539"+strings.Repeat("a", 56), "digits") // an ID prefix of decimal digits
	m4.Pod = engine.Pod{Namespace: "prod", Name: "api-0"}
	m4.ContainerName = "app"
	lxc := &engine.Container{Runtime: "lxc", Name: "box"}
	s := &Snapshot{Namespaces: []*Namespace{
		{ID: nsutil.NSID{Ino: nsutil.InitialPIDNSInode}, Init: &Process{PID: 1}},
		mk(4026532301, 101, c1, m1), mk(4026532302, 102, c2, m2), mk(4026532303, 103, c3, m3),
		mk(4026532304, 104, c4, m4), mk(4026532305, 105, lxc, nil), {ID: nsutil.NSID{Ino: 4026532306}, Level: 1},
		mk(4026532307, 107, c6, m6),
	}}
	s.byPID = map[int]*Process{}
	for _, ns := range s.Namespaces {
		if ns.Init != nil {
			s.byPID[ns.Init.PID] = ns.Init
		}
	}
	const pidMax = 32768
	for _, tt := range []struct {
		arg     string
		pid     int
		errHas  string
		choices int
	}{
		{arg: "101", pid: 101},
		{arg: "32768", pid: 32768}, // a PID even if no process has it
		{arg: "4026532302", pid: 102},
		{arg: "4026532306", errHas: "its init is not visible"},
		{arg: "4026539999", errHas: "above pid_max (32768)"},
		{arg: "03771539", pid: 107}, // above pid_max, no such inode: an ID prefix
		{arg: "4026532307", pid: 107},
		{arg: "0", errHas: "0 is not a PID"},
		{arg: "web", pid: 101},
		// A name that is also other containers' ID prefix: a name is its
		// owner's choice, so it never shadows them; all are candidates.
		{arg: "beef", errHas: "by container name or ID prefix", choices: 3},
		{arg: "beef0", errHas: "by container ID prefix", choices: 2},
		{arg: "BEEF01", pid: 101},
		{arg: "cafe", pid: 103},
		{arg: "caf", errHas: "at least 4 hex digits"},
		{arg: "prod/api-0/app", pid: 104},
		{arg: "app-1", pid: 104},
		{arg: "app", errHas: "no container's name is app"},
		{arg: "box", pid: 105},
		{arg: "Web", errHas: "no container's name is Web"},
	} {
		got, err := s.Resolve(tt.arg, pidMax)
		var amb *AmbiguousError
		switch {
		case tt.errHas == "" && (err != nil || got.PID != tt.pid):
			t.Errorf("Resolve(%q) = %+v, %v; want PID %d", tt.arg, got, err, tt.pid)
		case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
			t.Errorf("Resolve(%q) = %+v, %v; want an error with %q", tt.arg, got, err, tt.errHas)
		case tt.choices > 0 && (!errors.As(err, &amb) || len(amb.Candidates) != tt.choices):
			t.Errorf("Resolve(%q): %v; want %d candidates", tt.arg, err, tt.choices)
		case tt.pid > 100 && tt.pid < 200 && got.StartTime != uint64(tt.pid)*10:
			t.Errorf("Resolve(%q): start time %d; want the scanned one", tt.arg, got.StartTime)
		}
	}
	if !ContainerMatches(s.Namespaces[1], "beef") || ContainerMatches(s.Namespaces[1], "bee") || !ContainerMatches(s.Namespaces[4], "prod/api-0/app") {
		t.Error("ContainerMatches disagrees with Resolve")
	}
}
