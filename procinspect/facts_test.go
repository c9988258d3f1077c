package procinspect

import (
	"reflect"
	"testing"

	"github.com/sigview/sigview/procinspect/engine"
)

// TestSameFacts: any exported fact, however deep (a child's thread's mask,
// an environment variable), makes two readings differ; the switch counts
// and the scan's own bookkeeping do not.
func TestSameFacts(t *testing.T) {
	mk := func() *Process {
		child := &Process{PID: 8, Status: &Status{Name: "sleep", SigBlk: KnownMask(0)},
			Deep: &Deep{Threads: []Thread{{TID: 8, Status: Status{SigBlk: KnownMask(0)}}}}}
		return &Process{PID: 7, Status: &Status{Name: "tini", Switches: Of([2]uint64{3, 4})}, Cmdline: []string{"tini", "--", "sleep"},
			Env: map[string]string{"TINI_KILL_PROCESS_GROUP": "1"}, Children: []*Process{child}, ino: 9, quiet: true}
	}
	a, b := mk(), mk()
	if !SameFacts(a, b) {
		t.Fatal("two identical readings differ")
	}
	b.Status.Switches = Of([2]uint64{30, 40})
	b.Status.SigQ = "5/63432"
	b.ino, b.quiet, b.carried = 10, false, true
	if !SameFacts(a, b) {
		t.Error("switch counts, SigQ and bookkeeping made two readings differ")
	}
	for name, f := range map[string]func(p *Process){
		"a child's thread's SigBlk": func(p *Process) { p.Children[0].Deep.Threads[0].Status.SigBlk = KnownMask(1) },
		"an environment variable":   func(p *Process) { p.Env["TINI_KILL_PROCESS_GROUP"] = "0" },
		"one more argument":         func(p *Process) { p.Cmdline = append(p.Cmdline, "x") },
		"no children":               func(p *Process) { p.Children = nil },
		"the name":                  func(p *Process) { p.Status.Name = "tini2" },
	} {
		c := mk()
		f(c)
		if SameFacts(a, c) {
			t.Errorf("%s changed, yet the readings hold the same facts", name)
		}
	}
}

// BenchmarkSameFacts compares every namespace init of the live /proc with
// its own second reading: the cost predict.Reassess pays per init.
func BenchmarkSameFacts(b *testing.B) {
	sc := Scanner{}
	a, err := sc.Scan()
	if err != nil {
		b.Fatal(err)
	}
	sc.Prev = a
	c, err := sc.Scan()
	if err != nil {
		b.Fatal(err)
	}
	var pairs [][2]*Process
	for _, ns := range c.Namespaces {
		if ns.Init != nil && a.Process(ns.Init.PID) != nil {
			pairs = append(pairs, [2]*Process{a.Process(ns.Init.PID), ns.Init})
		}
	}
	same := 0
	for b.Loop() {
		same = 0
		for _, p := range pairs {
			if SameFacts(p[0], p[1]) {
				same++
			}
		}
	}
	b.ReportMetric(float64(len(pairs)), "inits")
	b.ReportMetric(float64(same), "same")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*max(1, len(pairs))), "ns/init")
}

// TestSameFactsSeesEveryField changes each exported field of a reading in
// turn (of its status, threads, readers, first child, and the records it
// points to) and fails on any change SameFacts does not see: a field added
// to Process, Status, Deep, Thread or Consumer without its comparison fails
// here, and no stale prediction can be kept for it (predict.Reassess).
func TestSameFactsSeesEveryField(t *testing.T) {
	base := func() *Process {
		st := func(pid int) Status {
			return Status{Name: "tini", State: 'S', Tgid: KnownInt(pid), PPid: KnownInt(1), TracerPid: KnownInt(0),
				Uid: Of([4]int{1, 2, 3, 4}), Threads: KnownInt(1), NStgid: []int{pid, 1}, NSpid: []int{pid, 1}, SigQ: "0/1",
				SigPnd: KnownMask(1), ShdPnd: KnownMask(2), SigBlk: KnownMask(3), SigIgn: KnownMask(4), SigCgt: KnownMask(5),
				Kthread: KnownFlag(false), Switches: Of([2]uint64{1, 2}), CapEff: Of(uint64(1)), Seccomp: KnownInt(2), Problems: []string{"p"}}
		}
		deep := func(pid int) *Deep {
			return &Deep{Threads: []Thread{{TID: pid, Status: st(pid), Syscall: 128, Wchan: "w", Sigwait: KnownFlag(true), WaitSet: KnownMask(6), WaitSetErr: "e"}},
				ThreadsErr: "t", Consumers: []Consumer{{Kind: "signalfd", TID: pid, FD: 3, Set: KnownMask(7)}}, FDErr: "f",
				Go: KnownFlag(true), Exe: "/x", JVM: KnownFlag(false), Gone: false, FDsSkipped: false}
		}
		child := &Process{PID: 8, Status: new(st(8)), Cmdline: []string{"sleep"}, Deep: deep(8)}
		return &Process{PID: 7, Status: new(st(7)), Cmdline: []string{"tini", "--"}, Env: map[string]string{"A": "1"}, EnvErr: "env",
			S6: &S6Files{Files: map[string]string{"finish": "absent"}}, Supervisord: &SupervisordConf{Path: "/c"},
			BusyboxInit: &BusyboxInit{Actions: map[string][]string{"restart": {"init"}}}, SystemdInit: &SystemdInit{BootWhy: "b"}, S6Service: &S6Service{Dir: "x"},
			StartTime: 99, Kthread: KnownFlag(false), NSNote: "n", InitialNS: KnownFlag(false), Deep: deep(7),
			Container: &engine.Container{}, ContainerErr: "c", Engine: &engine.Metadata{}, Children: []*Process{child}}
	}
	if !SameFacts(base(), base()) {
		t.Fatal("two identical readings differ")
	}
	ours := map[reflect.Type]bool{reflect.TypeFor[Process](): true, reflect.TypeFor[Status](): true,
		reflect.TypeFor[Deep](): true, reflect.TypeFor[Thread](): true, reflect.TypeFor[Consumer](): true}
	checked := 0
	var walk func(path string, get func(*Process) reflect.Value, depth int)
	walk = func(path string, get func(*Process) reflect.Value, depth int) {
		typ := get(base()).Type()
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() || typ == statusType && notFacts(f.Name) {
				continue
			}
			fp, fget := path+"."+f.Name, func(p *Process) reflect.Value { return get(p).Field(i) }
			ft := f.Type
			switch {
			case ft.Kind() == reflect.Struct && (ours[ft] || ft.NumField() <= 3):
				walk(fp, fget, depth) // Status, and the small value records (Known, Mask, NSID)
			case ft.Kind() == reflect.Pointer && ours[ft.Elem()]:
				walk(fp, func(p *Process) reflect.Value { return fget(p).Elem() }, depth)
			case ft.Kind() == reflect.Slice && ours[ft.Elem()]:
				walk(fp+"[0]", func(p *Process) reflect.Value { return fget(p).Index(0) }, depth)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Pointer && ours[ft.Elem().Elem()] && depth == 0:
				walk(fp+"[0]", func(p *Process) reflect.Value { return fget(p).Index(0).Elem() }, depth+1)
			default:
				p := base()
				if !change(fget(p)) {
					t.Errorf("%s: the test cannot change a %s", fp, ft)
					continue
				}
				checked++
				if SameFacts(base(), p) {
					t.Errorf("%s changed, yet SameFacts sees the same facts", fp)
				}
			}
		}
	}
	walk("Process", func(p *Process) reflect.Value { return reflect.ValueOf(p).Elem() }, 0)
	t.Logf("%d fields changed one at a time", checked)
}

// change changes v to another value of its type.
func change(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Array:
		return change(v.Index(0))
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(it.Key(), it.Value())
		}
		m.SetMapIndex(reflect.ValueOf("zz").Convert(v.Type().Key()), reflect.Zero(v.Type().Elem()))
		v.Set(m)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		} else {
			v.Set(reflect.Zero(v.Type()))
		}
	default:
		return false
	}
	return true
}

// TestQuietThread: a thread keeps its wait only when it is the same thread
// (the same task inode), has not run since (the same switch counts, asleep
// both times, untraced) and was not in sigtimedwait.
func TestQuietThread(t *testing.T) {
	st := func(state byte, sw uint64, tracer int) Status {
		return Status{State: state, Switches: Of([2]uint64{sw, 1}), TracerPid: KnownInt(tracer)}
	}
	prev := []Thread{{TID: 3, Status: st('S', 5, 0), Syscall: 7, Wchan: "do_sys_poll", ino: 30},
		{TID: 5, Status: st('S', 5, 0), Syscall: 7, ino: 50}, // caught on its way to sleep: no wchan yet
		{TID: 9, Status: st('S', 5, 0), Syscall: 128, Wchan: "do_sigtimedwait", Sigwait: KnownFlag(true), ino: 90},
		{TID: 11, Status: st('S', 5, 0), Syscall: 7, Wchan: "do_sys_poll"},                     // its task directory not listed
		{TID: 13, Status: st('S', 5, 0), Syscall: 7, Wchan: "do_sys_poll", ino: 130, run: 500}} // a leader
	for _, c := range []struct {
		name string
		tid  int
		ino  uint64
		now  Status
		keep bool
	}{
		{"asleep since", 3, 30, st('S', 5, 0), true},
		{"ran since", 3, 30, st('S', 6, 0), false},
		{"running now", 3, 30, st('R', 5, 0), false},
		{"traced now", 3, 30, st('S', 5, 77), false},
		{"counts unknown", 3, 30, Status{State: 'S', TracerPid: KnownInt(0)}, false},
		{"in sigtimedwait", 9, 90, st('S', 5, 0), false},
		{"its wait not read whole", 5, 50, st('S', 5, 0), false},
		{"a new thread", 4, 40, st('S', 5, 0), false},
		{"its TID reused by a new thread", 3, 31, st('S', 5, 0), false},
		{"no inode this time", 3, 0, st('S', 5, 0), false},
		{"inode 1: none made", 3, 1, st('S', 5, 0), false},
		{"no inode last time", 11, 110, st('S', 5, 0), false},
		{"the leader asleep since", 13, 130, st('S', 5, 0), true},
		{"another thread exec'd and leads", 13, 130, st('S', 5, 0), false},
	} {
		run := uint64(0)
		if c.tid == 13 {
			run = 500
			if c.name == "another thread exec'd and leads" {
				run = 501
			}
		}
		if got := quietThread(prev, c.tid, c.ino, run, c.now) != nil; got != c.keep {
			t.Errorf("%s: kept %v, want %v", c.name, got, c.keep)
		}
	}
}
