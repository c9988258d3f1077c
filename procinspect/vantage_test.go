package procinspect

import (
	"testing"

	"github.com/sigview/sigview/nsutil"
)

// TestSendsFromInside: a send is from inside unless sigview can tell it
// runs in an ancestor of the target's namespace; unknown fails closed.
func TestSendsFromInside(t *testing.T) {
	host := &Namespace{ID: nsutil.NSID{Ino: 1}, Level: 0, Initial: KnownFlag(true)}
	own := &Namespace{ID: nsutil.NSID{Ino: 2}, Level: 0, Initial: KnownFlag(false)}
	ownUnknown := &Namespace{ID: nsutil.NSID{Ino: 3}, Level: 0}
	child := &Namespace{ID: nsutil.NSID{Ino: 4}, Level: 1, Parent: host}
	lost := &Namespace{Level: -1}
	for _, c := range []struct {
		ns   *Namespace
		want bool
	}{{host, false}, {own, true}, {ownUnknown, true}, {child, false}, {lost, true}, {nil, true}} {
		p := &Process{PID: 7}
		s := &Snapshot{}
		if c.ns != nil {
			c.ns.Procs = []*Process{p}
			s.Namespaces = []*Namespace{c.ns}
		}
		if got := s.SendsFromInside(p); got != c.want {
			t.Errorf("namespace %+v: SendsFromInside = %v, want %v", c.ns, got, c.want)
		}
	}
}
