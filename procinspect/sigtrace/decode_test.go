package sigtrace

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"testing"
	"time"
	"unsafe"
)

// TestDecode: a sample written the way the kernel lays out struct event
// (the generated Go type, encoded little-endian) decodes field by field.
func TestDecode(t *testing.T) {
	var e sigtraceEvent
	e.Ktime, e.Kind, e.Sig, e.Code, e.SiErrno, e.Result, e.Group = 1500, 1, 15, -6, 3, 1, 1
	e.Relation, e.SigFlags, e.Handler, e.SaFlags, e.Blocked, e.ExitCode = 1, 0x40, 1, 0x4000000, 1<<14, 0x8f00
	e.Sender = sigtraceTaskInfo{Tgid: 10, Tid: 11, Pidns: 4026531836, Level: 0, NsTgid: 10, Start: 7}
	copy(e.Sender.Comm[:], []int8{'k', 'i', 'l', 'l'})
	e.Target = sigtraceTaskInfo{Tgid: 20, Tid: 21, Pidns: 4026532177, Level: 1, NsTgid: 1, Start: 9}
	for i := range e.Target.Comm { // 16 bytes, no NUL
		e.Target.Comm[i] = 'x'
	}
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, &e); err != nil {
		t.Fatal(err)
	}
	wall := time.Unix(100, 0)
	r, ok := decode(buf.Bytes(), wall, &interner{})
	if !ok {
		t.Fatal("not decoded")
	}
	want := Record{Kind: Generate, Time: wall.Add(1500), Signal: 15, Code: -6, Errno: 3, Result: Ignored, Group: true,
		Relation: Ancestor, Handler: 1, SAFlags: 0x4000000, Unkillable: true, Blocked: 1 << 14, ExitStatus: 0x8f00,
		Sender: Task{TGID: 10, TID: 11, PIDNS: 4026531836, NSPID: 10, Start: 7, Comm: "kill"},
		Target: Task{TGID: 20, TID: 21, PIDNS: 4026532177, Level: 1, NSPID: 1, Start: 9, Comm: "xxxxxxxxxxxxxxxx"}}
	if r != want {
		t.Errorf("decoded\n%+v\nwant\n%+v", r, want)
	}
	if _, ok := decode(buf.Bytes()[:buf.Len()-1], wall, nil); ok {
		t.Error("a short sample was decoded")
	}
}

// TestInterner: a name read again is the same string (no allocation), a
// different one is itself, and past maxNames the interner starts over.
func TestInterner(t *testing.T) {
	var in interner
	buf := []byte("kill")
	a := in.get(buf)
	copy(buf, "ping")
	b := in.get(buf)
	copy(buf, "kill")
	c := in.get(buf)
	if a != "kill" || b != "ping" || c != "kill" || unsafe.StringData(a) != unsafe.StringData(c) {
		t.Errorf("got %q %q %q (same string for kill: %v)", a, b, c, unsafe.StringData(a) == unsafe.StringData(c))
	}
	if n := testing.AllocsPerRun(100, func() { in.get(buf) }); n != 0 {
		t.Errorf("a known name costs %v allocations", n)
	}
	for i := 0; i < maxNames+1; i++ {
		in.get([]byte(strconv.Itoa(i)))
	}
	if len(in.m) > maxNames {
		t.Errorf("%d names kept, at most %d", len(in.m), maxNames)
	}
	if got := in.get(buf); got != "kill" {
		t.Errorf("after starting over: %q", got)
	}
}
