package document

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// encodeWhole is the document as one encoding/json encoder writes it,
// the reference for every streamed and hand-written form.
func encodeWhole(t *testing.T, d Document) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWriteReportSame: WriteReport (the namespaces built one at a time,
// their processes written by hand) writes byte for byte what one encoder
// writes for Report's whole document, on the fixture (escaped names, a
// process without masks, unknown namespaces) and on the live /proc; and
// WriteReportEach what it writes for the document edited the same way.
func TestWriteReportSame(t *testing.T) {
	for _, c := range []struct {
		name string
		snap func() *procinspect.Snapshot
	}{
		{"fixture", func() *procinspect.Snapshot { return fxScan(t) }},
		{"live /proc", func() *procinspect.Snapshot {
			s, err := procinspect.Scanner{}.Scan()
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	} {
		s := c.snap()
		as := predict.Assess(s, s.Kernel)
		want := encodeWhole(t, Report(s, as))
		var got bytes.Buffer
		if err := WriteReport(&got, s, as); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: WriteReport differs from the whole document encoded at byte %d:\n%s", c.name, firstDiff(got.Bytes(), want), around(got.Bytes(), want))
		}
		// With an edit of each namespace (serve's cut of each init's
		// command line): what the encoder writes for the edited document.
		cut := func(ns *DocNS) {
			if ns.Init != nil && len(ns.Init.Cmdline) > 1 {
				ns.Init.Cmdline = ns.Init.Cmdline[:1]
			}
		}
		d := Report(s, as)
		for i := range d.Namespaces {
			cut(&d.Namespaces[i])
		}
		want = encodeWhole(t, d)
		got.Reset()
		if err := WriteReportEach(&got, s, as, cut); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: WriteReportEach differs from the edited document encoded at byte %d:\n%s", c.name, firstDiff(got.Bytes(), want), around(got.Bytes(), want))
		}
		if n := len(s.Processes); n < 3 {
			t.Errorf("%s: %d processes scanned; the comparison shows nothing", c.name, n)
		}
	}
}

// TestAppendProcessesSame: the hand-written processes are what the
// encoder writes, for random processes with every optional field null or
// set and names JSON must escape; and a document with an empty and a nil
// process list.
func TestAppendProcessesSame(t *testing.T) {
	strs := []string{"", "sleep", "kill\x1b[2J", "a\"b\\c", "<script>&amp;", "tab\there\nnl\r\b\f\x00\x1f\x7f",
		"\xff\xfeinvalid", "line\u2028sep\u2029", "ünïcödé 🐳", "runc:[2:INIT]", `\x1b[31mevil`}
	rng := rand.New(rand.NewPCG(3, 4))
	optInt := func() *int {
		if rng.IntN(3) == 0 {
			return nil
		}
		v := rng.IntN(1<<22) - 10
		return &v
	}
	optStr := func() *string {
		if rng.IntN(3) == 0 {
			return nil
		}
		v := strs[rng.IntN(len(strs))]
		return &v
	}
	d := Document{SchemaVersion: SchemaVersion, ProcRoot: "/proc", Warnings: []string{}, Namespaces: []DocNS{}}
	for i := range 200 {
		ns := DocNS{ID: "ns", Processes: []DocProcess{}}
		switch i % 10 {
		case 0:
			ns.Processes = nil
		case 1:
		default:
			for range rng.IntN(20) + 1 {
				ns.Processes = append(ns.Processes, DocProcess{PID: rng.IntN(1 << 22), NSPID: optInt(), PPID: optInt(),
					Name: strs[rng.IntN(len(strs))], State: optStr(),
					Masks: DocMasks{SigPnd: optStr(), ShdPnd: optStr(), SigBlk: optStr(), SigIgn: optStr(), SigCgt: optStr()}})
			}
		}
		ns.ProcessCount = len(ns.Processes)
		d.Namespaces = append(d.Namespaces, ns)
	}
	want := encodeWhole(t, d)
	var got bytes.Buffer
	if err := Write(&got, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("Write differs from the encoder at byte %d:\n%s", firstDiff(got.Bytes(), want), around(got.Bytes(), want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// around shows both texts near their first difference.
func around(got, want []byte) string {
	i := firstDiff(got, want)
	lo := max(0, i-200)
	return "got:  …" + string(got[lo:min(len(got), i+200)]) + "\nwant: …" + string(want[lo:min(len(want), i+200)])
}
