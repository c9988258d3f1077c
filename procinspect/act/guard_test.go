package act

import (
	"errors"
	"testing"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect"
)

// TestCheckHostInit: the refusal alone, on a fixture procfs and on a
// snapshot made as from inside a container. Nothing here sends: no test
// ever signals the PID 1 of the machine it runs on.
func TestCheckHostInit(t *testing.T) {
	snap, err := procinspect.Scanner{Root: "../testdata/proc", SelfNS: "../testdata/proc/1/ns/pid"}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	host, ct := snap.Process(1), snap.Process(4242)
	if host == nil || ct == nil {
		t.Fatal("the fixture lacks PID 1 or 4242")
	}
	if err := CheckHostInit(snap, host, false); !errors.Is(err, ErrHostInit) {
		t.Errorf("the host's init, unconfirmed: %v; want ErrHostInit", err)
	}
	if err := CheckHostInit(snap, host, true); err != nil {
		t.Errorf("the host's init, confirmed: %v", err)
	}
	if err := CheckHostInit(snap, ct, false); err != nil {
		t.Errorf("a container's init: %v; want no confirmation needed", err)
	}
	if p := snap.Process(100); p == nil || CheckHostInit(snap, p, false) != nil {
		t.Errorf("a host process that is not its init needs no confirmation")
	}

	// Inside a container: its own namespace is the procfs' level 0, not
	// the initial one, and its PID 1 is its own init, not the machine's.
	inside := &procinspect.Process{PID: 1, Status: &procinspect.Status{}}
	own := &procinspect.Namespace{ID: nsutil.NSID{Ino: 4026532999}, Level: 0, Initial: procinspect.KnownFlag(false),
		Init: inside, Procs: []*procinspect.Process{inside}}
	in := &procinspect.Snapshot{Viewer: procinspect.Viewer{NS: own.ID, Initial: procinspect.KnownFlag(false)},
		Namespaces: []*procinspect.Namespace{own}}
	if err := CheckHostInit(in, inside, false); err != nil {
		t.Errorf("inside a container, its own PID 1: %v; want no confirmation needed", err)
	}
}
