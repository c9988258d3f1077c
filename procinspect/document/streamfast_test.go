package document

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
)

// TestEncodeNSTakesTheFastPath: the streamed writer's fallbacks (the
// encoder's own bytes when the layout is not the one stream.go and
// write.go know) write the same bytes, so a comparison of bytes cannot see
// them taken. This fails when they are: when the document's head no longer
// holds namespacesMark, or encodeNS no longer appends a namespace's
// processes by hand (a field added after processes, a changed tag or
// indent), for the fixture's namespaces and a bare one.
func TestEncodeNSTakesTheFastPath(t *testing.T) {
	s := fxScan(t)
	nss := report(s).Namespaces
	var head bytes.Buffer
	if err := newEncoder(&head, "").Encode(reportHead(s)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(head.Bytes(), []byte(namespacesMark)) {
		t.Errorf("the document's head lacks namespacesMark %q: writeNamespaces encodes the whole document:\n%s", namespacesMark, head.Bytes())
	}
	one := 1
	nss = append(nss, DocNS{ID: "bare", Processes: []DocProcess{{PID: 1, NSPID: &one}}})
	fast := 0
	for _, ns := range nss {
		if len(ns.Processes) == 0 {
			continue
		}
		var got, want bytes.Buffer
		var procs []byte
		ok, err := encodeNS(&got, newEncoder(&got, "    "), ns, &procs)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("namespace %s (%d processes): encodeNS fell back to encoding/json for its processes", ns.ID, len(ns.Processes))
		} else {
			fast++
		}
		if err := newEncoder(&want, "    ").Encode(ns); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("namespace %s: encodeNS differs from the encoder at byte %d:\n%s", ns.ID, firstDiff(got.Bytes(), want.Bytes()), around(got.Bytes(), want.Bytes()))
		}
	}
	if fast < 3 {
		t.Errorf("%d namespaces took the fast path; the fixture has at least 2 with processes, and the bare one", fast)
	}
}

// TestAppendProcessesAsTheEncoder: appendProcesses itself (not whichever
// path Write took) against encoding/json's indented encoding of the same
// slice at the same depth, for random processes whose strings are random
// bytes (invalid UTF-8, control bytes, U+2028, HTML characters). The
// encoder is json.MarshalIndent's but with HTML escaping off, as every
// sigview document is written.
func TestAppendProcessesAsTheEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 6))
	special := []string{"\x1b", "\xff", "\xc3", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xc2\x85", "\xc2\xa0", "<", ">", "&",
		"\x00", "\x7f", "\b", "\f", "\t", "\n", "\r", "\"", "\\", "\xed\xa0\x80", "🐳", "a", "Z", " "}
	str := func() string {
		var b []byte
		for range rng.IntN(12) {
			if rng.IntN(2) == 0 {
				b = append(b, special[rng.IntN(len(special))]...)
			} else {
				b = append(b, byte(rng.IntN(256)))
			}
		}
		return string(b)
	}
	optInt := func() *int {
		if rng.IntN(4) == 0 {
			return nil
		}
		v := rng.IntN(1<<31) - 1<<30
		return &v
	}
	optStr := func() *string {
		if rng.IntN(4) == 0 {
			return nil
		}
		v := str()
		return &v
	}
	var dst []byte
	for range 2000 {
		ps := make([]DocProcess, rng.IntN(8)+1)
		for i := range ps {
			ps[i] = DocProcess{PID: rng.IntN(1<<31) - 1<<30, NSPID: optInt(), PPID: optInt(), Name: str(), State: optStr(),
				Masks: DocMasks{SigPnd: optStr(), ShdPnd: optStr(), SigBlk: optStr(), SigIgn: optStr(), SigCgt: optStr()}}
		}
		var want bytes.Buffer
		// A namespace's processes member sits at depth 3: its value starts
		// after "      \"processes\": ".
		if err := newEncoder(&want, "      ").Encode(ps); err != nil {
			t.Fatal(err)
		}
		w := bytes.TrimSuffix(want.Bytes(), []byte("\n"))
		dst = appendProcesses(dst[:0], ps)
		if !bytes.Equal(dst, w) {
			t.Fatalf("appendProcesses differs from the encoder at byte %d:\n%s", firstDiff(dst, w), around(dst, w))
		}
		if !json.Valid(dst) {
			t.Fatalf("appendProcesses wrote invalid JSON:\n%q", dst)
		}
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct {
	n      int
	failed bool
	late   int // writes after the first failure
}

var errFull = errors.New("no space left (test)")

func (w *failAfter) Write(p []byte) (int, error) {
	if w.failed {
		w.late++
	}
	if len(p) > w.n {
		k := w.n
		w.n, w.failed = 0, true
		return k, errFull
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteStopsAtAWriteError: once a write fails, the streamed writer
// returns the writer's error without building or encoding the namespaces
// left (at 20,000 processes, all of them when the first 64 KiB flush
// failed), and the document written whole (Write) returns it too.
func TestWriteStopsAtAWriteError(t *testing.T) {
	const n = 2000
	mk := func(i int) DocNS {
		ns := DocNS{ID: "ns", Processes: make([]DocProcess, 10)}
		for j := range ns.Processes {
			ns.Processes[j] = DocProcess{PID: i*10 + j, Name: "sleep"}
		}
		ns.ProcessCount = len(ns.Processes)
		return ns
	}
	head := Document{SchemaVersion: SchemaVersion, ProcRoot: "/proc", Warnings: []string{}, Namespaces: []DocNS{}}
	for _, after := range []int{0, 100, 200 << 10} {
		built := 0
		w := &failAfter{n: after}
		err := writeNamespaces(w, head, n, func(i int) DocNS { built++; return mk(i) }, false)
		if !errors.Is(err, errFull) {
			t.Errorf("fail after %d bytes: writeNamespaces = %v; want the writer's error", after, err)
		}
		// The first flush comes at 64 KiB, a namespace here is about 2 KiB:
		// the namespaces built are those of the bytes accepted, the 64 KiB
		// buffered and one more at most.
		var one bytes.Buffer
		var procs []byte
		encodeNS(&one, newEncoder(&one, "    "), mk(0), &procs)
		if limit := (after+64<<10)/one.Len() + 2; built > limit {
			t.Errorf("fail after %d bytes: %d of %d namespaces built after the write failed; want at most %d", after, built, n, limit)
		}
		if w.late > 0 {
			t.Errorf("fail after %d bytes: %d writes after the writer failed; want none", after, w.late)
		}
	}
	d := head
	d.Namespaces = nil
	for i := range n {
		d.Namespaces = append(d.Namespaces, mk(i))
	}
	if err := Write(&failAfter{n: 100}, d); !errors.Is(err, errFull) {
		t.Errorf("Write = %v; want the writer's error", err)
	}
}
