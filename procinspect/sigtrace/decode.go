package sigtrace

import (
	"encoding/binary"
	"time"
	"unsafe"
)

// Offsets of struct event and struct task_info (bpf/sigtrace.bpf.c), taken
// from the generated Go types so that a change of the C struct cannot go
// unnoticed (TestDecodeLayout).
var (
	evSize   = int(unsafe.Sizeof(sigtraceEvent{}))
	taskSize = int(unsafe.Sizeof(sigtraceTaskInfo{}))
	offSend  = int(unsafe.Offsetof(sigtraceEvent{}.Sender))
	offTgt   = int(unsafe.Offsetof(sigtraceEvent{}.Target))
)

// decode reads one ring-buffer sample (struct event, little-endian: the
// object is built for little-endian machines). A short sample is skipped.
// It reads the fields by offset, without reflection: at a thousand signals
// a second, binary.Decode was a fifth of watch's CPU.
func decode(b []byte, wall time.Time, names *interner) (Record, bool) {
	if len(b) < evSize {
		return Record{}, false
	}
	le := binary.LittleEndian
	u32 := func(off uintptr) uint32 { return le.Uint32(b[off:]) }
	i32 := func(off uintptr) int { return int(int32(le.Uint32(b[off:]))) }
	u64 := func(off uintptr) uint64 { return le.Uint64(b[off:]) }
	var e sigtraceEvent
	r := Record{Kind: Kind(u32(unsafe.Offsetof(e.Kind))),
		Time:       wall.Add(time.Duration(u64(unsafe.Offsetof(e.Ktime)))),
		Signal:     i32(unsafe.Offsetof(e.Sig)),
		Code:       i32(unsafe.Offsetof(e.Code)),
		Errno:      i32(unsafe.Offsetof(e.SiErrno)),
		Result:     Result(i32(unsafe.Offsetof(e.Result))),
		Group:      u32(unsafe.Offsetof(e.Group)) != 0,
		Relation:   Relation(u32(unsafe.Offsetof(e.Relation))),
		Handler:    u64(unsafe.Offsetof(e.Handler)),
		SAFlags:    u64(unsafe.Offsetof(e.SaFlags)),
		Unkillable: u32(unsafe.Offsetof(e.SigFlags))&signalUnkillable != 0,
		Blocked:    u64(unsafe.Offsetof(e.Blocked)),
		ExitStatus: i32(unsafe.Offsetof(e.ExitCode)),
		Sender:     task(b[offSend:offSend+taskSize], names),
		Target:     task(b[offTgt:offTgt+taskSize], names),
	}
	return r, true
}

// signalUnkillable is SIGNAL_UNKILLABLE (include/linux/sched/signal.h).
const signalUnkillable = 0x40

// interner hands out one string per command name, so that a storm of
// signals between the same processes does not allocate two per record. It
// forgets everything past maxNames names. The zero value is ready; nil
// allocates each time.
type interner struct{ m map[string]string }

const maxNames = 4096

func (in *interner) get(b []byte) string {
	if in == nil {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok { // (no allocation for the lookup)
		return s
	}
	if in.m == nil || len(in.m) >= maxNames {
		in.m = map[string]string{}
	}
	s := string(b)
	in.m[s] = s
	return s
}

func task(b []byte, names *interner) Task {
	le := binary.LittleEndian
	var t sigtraceTaskInfo
	comm := b[unsafe.Offsetof(t.Comm):][:len(t.Comm)]
	n := 0
	for n < len(comm) && comm[n] != 0 {
		n++
	}
	return Task{TGID: int(le.Uint32(b[unsafe.Offsetof(t.Tgid):])), TID: int(le.Uint32(b[unsafe.Offsetof(t.Tid):])),
		PIDNS: uint64(le.Uint32(b[unsafe.Offsetof(t.Pidns):])), Level: int(le.Uint32(b[unsafe.Offsetof(t.Level):])),
		NSPID: int(int32(le.Uint32(b[unsafe.Offsetof(t.NsTgid):]))), ViewPID: int(int32(le.Uint32(b[unsafe.Offsetof(t.ViewTgid):]))),
		Start: le.Uint64(b[unsafe.Offsetof(t.Start):]),
		Comm:  names.get(comm[:n])}
}
