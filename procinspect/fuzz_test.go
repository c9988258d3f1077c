package procinspect

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sigview/sigview/internal/texttest"
)

// lastLine returns the trimmed value of the last line whose key (the text
// before the first colon) is key, the way ParseStatus reads it.
func lastLine(text []byte, key string) (val string, ok bool) {
	for _, line := range bytes.Split(text, []byte{'\n'}) {
		k, v, found := bytes.Cut(line, []byte{':'})
		if found && string(k) == key {
			val, ok = string(bytes.TrimSpace(v)), true
		}
	}
	return val, ok
}

func FuzzParseStatus(f *testing.F) {
	for _, seed := range []string{
		realStatus,
		containerInitStatus,
		gvisorStatus,
		malformedStatus,
		"",
		"Name:\t\n",
		"Pid:\t1\n",
		"Name:\t\x1b[31mevil\x1b[0m\nPid:\t8000\nNSpid:\t8000\n",
		"Name:\tbad\xff\xfe\nPid:\t1\nSigCgt:\tFFFFFFFFFFFFFFFF\n",
		"Name:\tx\nNSpid:\t0\nNStgid:\t-1\t1\nSigBlk:\t+000000000000001\n",
		"Name:\tx\nSigIgn:\t0000000000000001\nSigIgn:\tzz\nThreads:\t99999999999999999999\n",
		"Name:\tx\r\nSigPnd:\t0000000000000001\r\nUid:\t1\t2\t3\t4\t5\n",
		"Name\nPid\n::::\n\x00\x00",
	} {
		f.Add([]byte(seed))
	}
	// The fixture's status files, task statuses included.
	files, _ := filepath.Glob("testdata/proc/*/status")
	tasks, _ := filepath.Glob("testdata/proc/*/task/*/status")
	for _, path := range append(files, tasks...) {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}

	f.Fuzz(func(t *testing.T, in []byte) {
		st, err := ParseStatus(in)
		_, hasName := lastLine(in, "Name")
		_, hasPid := lastLine(in, "Pid")
		if (err == nil) != (hasName || hasPid) {
			t.Fatalf("ParseStatus(%q) error = %v; want an error exactly when there is no Name and no Pid line", in, err)
		}
		if err != nil {
			return
		}
		masks := []struct {
			key string
			m   Mask
		}{{"SigPnd", st.SigPnd}, {"ShdPnd", st.ShdPnd}, {"SigBlk", st.SigBlk}, {"SigIgn", st.SigIgn}, {"SigCgt", st.SigCgt}}
		for _, mk := range masks {
			line, present := lastLine(in, mk.key)
			switch {
			case mk.m.Known && !present:
				t.Errorf("ParseStatus(%q): %s known (%s) without a %s line", in, mk.key, mk.m.Set.Hex(), mk.key)
			case mk.m.Known && !strings.EqualFold(mk.m.Set.Hex(), line):
				// A known mask re-renders to its 16-digit line.
				t.Errorf("ParseStatus(%q): %s = %s, but the line says %q", in, mk.key, mk.m.Set.Hex(), line)
			case !mk.m.Known && mk.m.Set != 0:
				t.Errorf("ParseStatus(%q): unknown %s carries bits %#x", in, mk.key, uint64(mk.m.Set))
			case !mk.m.Known && present && len(st.Problems) == 0:
				t.Errorf("ParseStatus(%q): %s line %q rejected without a Problem", in, mk.key, line)
			}
		}
		for _, list := range []struct {
			key string
			v   []int
		}{{"NSpid", st.NSpid}, {"NStgid", st.NStgid}} {
			for _, n := range list.v {
				if n <= 0 {
					t.Errorf("ParseStatus(%q): %s = %v, want every element positive", in, list.key, list.v)
				}
			}
			if len(list.v) > 0 {
				line, _ := lastLine(in, list.key)
				if got := len(strings.Fields(line)); got != len(list.v) {
					t.Errorf("ParseStatus(%q): %s = %v from %q (%d fields)", in, list.key, list.v, line, got)
				}
			}
		}
		for _, iv := range []struct {
			key string
			v   Int
		}{{"Tgid", st.Tgid}, {"PPid", st.PPid}, {"TracerPid", st.TracerPid}, {"Threads", st.Threads}} {
			line, present := lastLine(in, iv.key)
			if iv.v.Known {
				if n, err := strconv.Atoi(line); !present || err != nil || n != iv.v.V {
					t.Errorf("ParseStatus(%q): %s = %d known, line %q", in, iv.key, iv.v.V, line)
				}
			} else if iv.v.V != 0 {
				t.Errorf("ParseStatus(%q): unknown %s carries %d", in, iv.key, iv.v.V)
			}
		}
		if strings.ContainsRune(st.Name, '\n') {
			t.Errorf("ParseStatus(%q): Name %q holds a newline", in, st.Name)
		}
		if st.Level() != len(st.NSpid)-1 {
			t.Errorf("ParseStatus(%q): Level() = %d with NSpid %v", in, st.Level(), st.NSpid)
		}
		if isInit, known := st.IsInit(); known != (len(st.NSpid) > 0) || isInit != (st.NSPID() == 1) {
			t.Errorf("ParseStatus(%q): IsInit() = %v, %v with NSpid %v", in, isInit, known, st.NSpid)
		}
		for _, p := range st.Problems {
			if !strings.HasPrefix(p, "malformed ") {
				t.Errorf("ParseStatus(%q): problem %q does not say what is malformed", in, p)
			}
		}
		if h := texttest.Hazard(Printable(st.Name)); h != "" {
			t.Errorf("Printable(%q) = %q: %s", st.Name, Printable(st.Name), h)
		}
	})
}

func FuzzPrintable(f *testing.F) {
	for _, seed := range []string{"", "systemd", "\x1b[31mevil\x1b[0m", "bad\xff\xfename", "café",
		"\u009b31m", "a\u202eb", `\x1b`, "\xed\xa0\x80", "\xef\xbf\xbd"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := Printable(in)
		if h := texttest.Hazard(got); h != "" {
			t.Fatalf("Printable(%q) = %q: %s", in, got, h)
		}
		if texttest.Hazard(in) == "" && got != in {
			t.Fatalf("Printable(%q) = %q, want a safe string unchanged", in, got)
		}
	})
}
