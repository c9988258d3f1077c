package procinspect

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseStatusSame: ParseStatus, which allocates only what it keeps,
// reads every input exactly as the plain parser it replaced
// (parseStatusRef, kept here as the reference): the same fields, the same
// problems, the same error. Its seeds are FuzzParseStatus's and inputs
// built to split fields at other white space than space and tab, and to
// pass NSpid's 40-field fast path.
func FuzzParseStatusSame(f *testing.F) {
	for _, seed := range []string{
		realStatus, containerInitStatus, gvisorStatus, malformedStatus, "",
		"Name:\t\n", "Pid:\t1\n", "Name:\tbad\xff\xfe\nPid:\t1\nSigCgt:\tFFFFFFFFFFFFFFFF\n",
		"Name:\tx\nNSpid:\t0\nNStgid:\t-1\t1\nSigBlk:\t+000000000000001\n",
		"Name:\tx\nSigIgn:\t0000000000000001\nSigIgn:\tzz\nThreads:\t99999999999999999999\n",
		"Name:\tx\r\nSigPnd:\t0000000000000001\r\nUid:\t1\t2\t3\t4\t5\n",
		"Name:\tx\nNSpid:\t1\v2\u00a03\r4\nUid:\t0\u20000\t0\t0\nKthread:\t 1 \n",
		"Name:\tx\nNSpid:" + strings.Repeat("\t7", 41) + "\nNStgid:" + strings.Repeat(" 7", 40) + "\n",
		"Name:  two  spaces \nState:\t\nCapEff:\t000001ffffffffff\nCapEff:\t1ff\nSeccomp:\tx\n",
		"Name:\tx\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t-1\nSigQ:\t 0/7 \n",
		"Name\nPid\n::::\n\x00\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, gerr := ParseStatus(in)
		want, werr := parseStatusRef(in)
		if (gerr == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseStatus(%q) = %+v, %v; the reference reads %+v, %v", in, got, gerr, want, werr)
		}
	})
}

// parseStatusRef is ParseStatus as it was before it stopped allocating a
// string per line: the reference FuzzParseStatusSame compares with (with
// NSpgid's 0 allowed, as ParseStatus now does: TestNSpgidZero).
func parseStatusRef(b []byte) (Status, error) {
	var s Status
	sawName, sawPid := false, false
	var sw [2]uint64
	sawSw := [2]bool{}
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte{'\n'})
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		v := string(bytes.TrimSpace(val))
		switch string(key) {
		case "Name":
			// Only a tab follows the colon; keep leading and trailing
			// spaces that are part of the name itself.
			s.Name = strings.TrimPrefix(string(val), "\t")
			sawName = true
		case "State":
			if v != "" {
				s.State = v[0]
			} else {
				s.problemRef("State", v)
			}
		case "Pid":
			sawPid = true
		case "Tgid":
			s.Tgid = s.parseIntRef("Tgid", v)
		case "PPid":
			s.PPid = s.parseIntRef("PPid", v)
		case "TracerPid":
			s.TracerPid = s.parseIntRef("TracerPid", v)
		case "Threads":
			s.Threads = s.parseIntRef("Threads", v)
		case "Uid":
			s.parseUidRef(v)
		case "NStgid":
			s.NStgid = s.parseListRef("NStgid", v, 1)
		case "NSpid":
			s.NSpid = s.parseListRef("NSpid", v, 1)
		case "NSpgid":
			s.NSpgid = s.parseListRef("NSpgid", v, 0)
		case "SigQ":
			s.SigQ = v
		case "SigPnd":
			s.SigPnd = s.parseMaskRef("SigPnd", v)
		case "ShdPnd":
			s.ShdPnd = s.parseMaskRef("ShdPnd", v)
		case "SigBlk":
			s.SigBlk = s.parseMaskRef("SigBlk", v)
		case "SigIgn":
			s.SigIgn = s.parseMaskRef("SigIgn", v)
		case "SigCgt":
			s.SigCgt = s.parseMaskRef("SigCgt", v)
		case "CapEff":
			if n, err := strconv.ParseUint(v, 16, 64); err == nil && len(v) == 16 {
				s.CapEff = Of(n)
			} else {
				s.problemRef("CapEff", v)
			}
		case "Seccomp":
			s.Seccomp = s.parseIntRef("Seccomp", v)
		case "Kthread":
			if v == "0" || v == "1" {
				s.Kthread = KnownFlag(v == "1")
			} else {
				s.problemRef("Kthread", v)
			}
		case "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches":
			i := 0
			if key[0] == 'n' {
				i = 1
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				s.problemRef(string(key), v)
				continue
			}
			sw[i], sawSw[i] = n, true
		}
	}
	if sawSw[0] && sawSw[1] {
		s.Switches = Of(sw)
	}
	if !sawName && !sawPid {
		return s, fmt.Errorf("not a status file: no Name or Pid line")
	}
	return s, nil
}

func (s *Status) problemRef(key, v string) {
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	s.Problems = append(s.Problems, fmt.Sprintf("malformed %s line %q", key, v))
}

func (s *Status) parseIntRef(key, v string) Int {
	n, err := strconv.Atoi(v)
	if err != nil {
		s.problemRef(key, v)
		return Int{}
	}
	return KnownInt(n)
}

func (s *Status) parseMaskRef(key, v string) Mask {
	set, err := ParseSigSet(v)
	if err != nil || len(v) != 16 {
		s.problemRef(key, v)
		return Mask{}
	}
	return KnownMask(set)
}

func (s *Status) parseListRef(key, v string, least int) []int {
	f := strings.Fields(v)
	if len(f) == 0 {
		s.problemRef(key, v)
		return nil
	}
	out := make([]int, len(f))
	for i, x := range f {
		n, err := strconv.Atoi(x)
		if err != nil || n < least {
			s.problemRef(key, v)
			return nil
		}
		out[i] = n
	}
	return out
}

func (s *Status) parseUidRef(v string) {
	f := strings.Fields(v)
	if len(f) != 4 {
		s.problemRef("Uid", v)
		return
	}
	var uid [4]int
	for i, x := range f {
		n, err := strconv.Atoi(x)
		if err != nil {
			s.problemRef("Uid", v)
			return
		}
		uid[i] = n
	}
	s.Uid = Of(uid)
}

// TestHexSame: SigSet.Hex writes what fmt's %016x does, for every bit
// alone and random sets.
func TestHexSame(t *testing.T) {
	sets := []SigSet{0, ^SigSet(0)}
	for i := range 64 {
		sets = append(sets, SigSet(1)<<i)
	}
	x := uint64(0x9e3779b97f4a7c15)
	for range 1000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		sets = append(sets, SigSet(x))
	}
	for _, s := range sets {
		if got, want := s.Hex(), fmt.Sprintf("%016x", uint64(s)); got != want {
			t.Fatalf("SigSet(%#x).Hex() = %q, want %q", uint64(s), got, want)
		}
	}
}
