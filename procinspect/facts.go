package procinspect

import (
	"maps"
	"reflect"
	"slices"
	"sync"
)

// SameFacts reports whether two readings of a process hold the same facts:
// every exported field, followed through pointers, slices and maps (its
// threads, children, container, …), is equal. Only what another package
// can read is compared, so a judgement made from one reading (predict's,
// which sees exported fields alone) holds for the other. The context
// switch counts (Status.Switches) are skipped: they tell a rescan whether
// a process ran (reuse.go) and are read by nothing else; so is SigQ, the
// count of signals queued for the process's user (everyone's: no fact of
// this process, and no judgement reads it). Anything it
// cannot compare (a function, a channel, a graph deeper than it follows)
// counts as different.
//
// Process, Status, Deep, Thread and Consumer are compared field by field
// (TestSameFactsSeesEveryField changes each of their exported fields in
// turn and fails on one this misses); the rarer records they point to
// (container, engine metadata, s6, supervisord and busybox init files) by
// reflection.
func SameFacts(a, b *Process) bool { return sameFacts(a, b, 0) }

func sameFacts(a, b *Process, depth int) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || depth > 4 {
		return false
	}
	return a.PID == b.PID && sameStatus(a.Status, b.Status) && slices.Equal(a.Cmdline, b.Cmdline) &&
		(a.Cmdline == nil) == (b.Cmdline == nil) && maps.Equal(a.Env, b.Env) && (a.Env == nil) == (b.Env == nil) &&
		a.EnvErr == b.EnvErr && sameRef(a.S6, b.S6) && sameRef(a.Supervisord, b.Supervisord) && sameRef(a.BusyboxInit, b.BusyboxInit) && sameRef(a.SystemdInit, b.SystemdInit) && sameRef(a.S6Service, b.S6Service) &&
		a.StartTime == b.StartTime && a.Kthread == b.Kthread && a.NS == b.NS && a.NSNote == b.NSNote &&
		a.InitialNS == b.InitialNS && sameDeep(a.Deep, b.Deep) && sameRef(a.Container, b.Container) &&
		a.ContainerErr == b.ContainerErr && sameRef(a.Engine, b.Engine) &&
		slices.EqualFunc(a.Children, b.Children, func(x, y *Process) bool { return sameFacts(x, y, depth+1) }) &&
		(a.Children == nil) == (b.Children == nil)
}

// sameStatus compares every field but the two no judgement reads.
func sameStatus(a, b *Status) bool {
	if a == b {
		return true // one reading: a carried process shares its last one
	}
	return a.Name == b.Name && a.State == b.State && a.Tgid == b.Tgid && a.PPid == b.PPid &&
		a.TracerPid == b.TracerPid && a.Uid == b.Uid && a.Threads == b.Threads &&
		slices.Equal(a.NStgid, b.NStgid) && slices.Equal(a.NSpid, b.NSpid) && slices.Equal(a.NSpgid, b.NSpgid) && a.SigPnd == b.SigPnd &&
		a.ShdPnd == b.ShdPnd && a.SigBlk == b.SigBlk && a.SigIgn == b.SigIgn && a.SigCgt == b.SigCgt &&
		a.CapEff == b.CapEff && a.Seccomp == b.Seccomp && a.Kthread == b.Kthread && slices.Equal(a.Problems, b.Problems)
}

func sameDeep(a, b *Deep) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.ThreadsErr == b.ThreadsErr && a.FDErr == b.FDErr && a.Go == b.Go && a.Exe == b.Exe &&
		a.JVM == b.JVM && a.Gone == b.Gone && a.FDsSkipped == b.FDsSkipped &&
		slices.Equal(a.Consumers, b.Consumers) && (a.Consumers == nil) == (b.Consumers == nil) &&
		(a.Threads == nil) == (b.Threads == nil) &&
		slices.EqualFunc(a.Threads, b.Threads, func(x, y Thread) bool {
			return x.TID == y.TID && sameStatus(&x.Status, &y.Status) && x.Syscall == y.Syscall &&
				x.Wchan == y.Wchan && x.Sigwait == y.Sigwait && x.WaitSet == y.WaitSet && x.WaitSetErr == y.WaitSetErr
		})
}

// sameRef compares two pointers to a record by its exported fields.
func sameRef[T any](a, b *T) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return sameValue(reflect.ValueOf(a), reflect.ValueOf(b), 0)
}

// maxFactsDepth bounds how deep SameFacts follows: a process, its children
// and their children, with their threads and containers, are well within.
const maxFactsDepth = 24

var statusType = reflect.TypeFor[Status]()

// notFacts are the fields of Status that SameFacts skips.
func notFacts(name string) bool { return name == "Switches" || name == "SigQ" }

func sameValue(a, b reflect.Value, depth int) bool {
	if a.Type() != b.Type() {
		return false
	}
	if depth > maxFactsDepth {
		return false
	}
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.String:
		return a.String() == b.String()
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return a.Pointer() == b.Pointer() || sameValue(a.Elem(), b.Elem(), depth+1)
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem(), depth+1)
	case reflect.Array:
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		if a.Len() == 0 || a.Pointer() == b.Pointer() {
			return true
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		it := a.MapRange()
		for it.Next() {
			w := b.MapIndex(it.Key())
			if !w.IsValid() || !sameValue(it.Value(), w, depth+1) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for _, i := range factFields(a.Type()) {
			if !sameValue(a.Field(i), b.Field(i), depth+1) {
				return false
			}
		}
		return true
	}
	return false // functions, channels, unsafe pointers: not compared
}

// fieldsOf caches, per struct type, the indexes of the fields SameFacts
// compares: reflect.Type.Field copies a StructField each call.
var fieldsOf sync.Map // reflect.Type -> []int

func factFields(t reflect.Type) []int {
	if v, ok := fieldsOf.Load(t); ok {
		return v.([]int)
	}
	var out []int
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && (t != statusType || !notFacts(f.Name)) {
			out = append(out, i)
		}
	}
	fieldsOf.Store(t, out)
	return out
}
