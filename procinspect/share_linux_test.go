package procinspect

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/sigview/sigview/nsutil"
)

// TestRescanSharesCarried: a process carried over unread twice is the
// last snapshot's object in the next (share.go), and a rescan that must
// read it (followed, as watch's learned processes are) reads it into a
// copy of its own, leaving the last snapshot as it was: the UI may be
// drawing it.
func TestRescanSharesCarried(t *testing.T) {
	pid := sleeper(t)
	waitProc(t, pid, "sleep", func(comm string, _ byte) bool { return comm == "sleep" })
	var sc Scanner
	var snaps []*Snapshot
	for range 4 {
		s, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, s)
		sc.Prev = s
	}
	// Shared by the third scan, and again by the fourth, which takes a
	// process the last one shared without looking at it (readAll).
	p1, p2 := snaps[1].Process(pid), snaps[3].Process(pid)
	if p1 == nil || p2 == nil || !p2.carried {
		t.Fatalf("PID %d not carried over: %+v", pid, p2)
	}
	if p1 != p2 || snaps[2].Process(pid) != p1 {
		t.Errorf("PID %d, carried over unread: a copy, not the last snapshot's process", pid)
	}
	if ns := snaps[3].NamespaceOf(p2); ns == nil || nsKey(ns.ID) != nsKey(p2.NS) || snaps[2].NamespaceOf(p2) == ns {
		t.Errorf("PID %d, shared: in namespace group %+v of the new snapshot", pid, ns)
	}
	before := fmt.Sprintf("%+v", *p2)
	sc.Follow = []int{pid}
	s, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p3 := s.Process(pid)
	if p3 == p2 || p3.Deep == nil || p3.carried {
		t.Errorf("PID %d, followed: the shared process (a copy %v) not read in depth into a copy (deep %v, carried %v)", pid, p3 != p2, p3.Deep != nil, p3.carried)
	}
	if after := fmt.Sprintf("%+v", *p2); after != before {
		t.Errorf("PID %d: reading it in depth changed the last snapshot's process:\n%s\nwas\n%s", pid, after, before)
	}
	if ns := s.NamespaceOf(p3); ns == nil || !slicesContain(ns.Procs, p3) || slicesContain(ns.Procs, p2) {
		t.Errorf("PID %d: the copy is not in its namespace's group in place of the shared process", pid)
	}
}

func slicesContain(ps []*Process, p *Process) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// TestShareable: a carried process is shared only when a copy would be
// the same: every field of Process set to something else makes it not
// shareable, or is kept by carryCopy, or is the snapshot's own (its
// namespace group, InitialNS, gen). A field added to Process must be
// placed in one of these.
func TestShareable(t *testing.T) {
	perSnapshot := map[string]bool{"ns": true, "InitialNS": true, "gen": true}
	base := func() Process {
		return Process{PID: 7, Status: &Status{Name: "sleep"}, NS: nsutil.NSID{Ino: 4026531836}, carried: true, seen: true, ino: 9, initMemo: 1}
	}
	if q := base(); !q.shareable(9) || q.shareable(10) {
		t.Fatalf("base process: shareable %v with its inode, %v with another", q.shareable(9), q.shareable(10))
	}
	typ := reflect.TypeOf(Process{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		if perSnapshot[f.Name] {
			continue
		}
		q := base()
		v := reflect.NewAt(f.Type, reflect.ValueOf(&q).Elem().Field(i).Addr().UnsafePointer()).Elem()
		if !setOther(v) {
			t.Errorf("field %s (%s): the test cannot set it; place it", f.Name, f.Type)
			continue
		}
		if !q.shareable(9) {
			continue
		}
		c := q.carryCopy(9)
		cv := reflect.ValueOf(&c).Elem().Field(i)
		qv := reflect.ValueOf(&q).Elem().Field(i)
		if fmt.Sprintf("%v", cv) != fmt.Sprintf("%v", qv) {
			t.Errorf("field %s: shareable with %v, but carryCopy makes it %v", f.Name, qv, cv)
		}
	}
}

// setOther sets v to a value unlike base's; false when it cannot.
func setOther(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int64:
		v.SetInt(v.Int() + 3)
	case reflect.Uint8, reflect.Uint64:
		v.SetUint(v.Uint() + 3)
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Pointer, reflect.Slice, reflect.Map:
		n := reflect.New(v.Type()).Elem()
		switch v.Kind() {
		case reflect.Pointer:
			n = reflect.New(v.Type().Elem())
		case reflect.Slice:
			n = reflect.MakeSlice(v.Type(), 1, 1)
		case reflect.Map:
			n = reflect.MakeMap(v.Type())
		}
		v.Set(n)
	case reflect.Struct:
		// Flag, nsutil.NSID: change the first settable field.
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() && setOther(f) {
				return true
			}
		}
		return false
	default:
		return false
	}
	return true
}
