package procinspect

import "testing"

func TestSigSetCompact(t *testing.T) {
	tests := []struct {
		set  SigSet
		want string
	}{
		{0, "-"},
		{SigSet(0).With(SIGINT).With(SIGTERM), "INT,TERM"},
		{SigSet(0).With(33).With(34), "33,RTMIN"},
		{SigSet(0).With(36).With(37).With(38).With(SIGHUP), "HUP,RTMIN+2..RTMIN+4"},
		// tini's waited set (docs/kernel-signals.md §4.2): glibc's two reserves by number.
		{0xfffffffe3fcffb07, "all but ILL,TRAP,ABRT,BUS,FPE,SEGV,TTIN,TTOU,SYS,32,33"},
	}
	for _, tt := range tests {
		if got := tt.set.Compact(); got != tt.want {
			t.Errorf("SigSet(%#x).Compact() = %q; want %q", uint64(tt.set), got, tt.want)
		}
	}
}

func TestBlockedEverywhere(t *testing.T) {
	th := func(state byte, blk Mask, wait Mask) Thread {
		return Thread{Status: Status{State: state, SigBlk: blk}, WaitSet: wait}
	}
	term := SigSet(0).With(SIGTERM)
	tests := []struct {
		name    string
		threads []Thread
		want    SigSet
	}{
		{"nothing blocked", []Thread{th('S', KnownMask(0), Mask{}), th('S', KnownMask(term), Mask{})}, 0},
		{"both block TERM", []Thread{th('S', KnownMask(term), Mask{}), th('S', KnownMask(term|1), Mask{})}, term},
		{"a zombie leader does not count", []Thread{th('Z', KnownMask(0), Mask{}), th('S', KnownMask(term), Mask{})}, term},
		{"a sigtimedwait set counts as blocked", []Thread{th('S', KnownMask(0), KnownMask(term))}, term},
		{"an unknown mask blocks everything", []Thread{th('S', Mask{}, Mask{}), th('S', KnownMask(term), Mask{})}, term},
	}
	for _, tt := range tests {
		if got := blockedEverywhere(tt.threads); got != tt.want {
			t.Errorf("%s: blockedEverywhere = %#x; want %#x", tt.name, uint64(got), uint64(tt.want))
		}
	}
}

// TestRealTimeNames: one naming, glibc's and the engines' (SIGRTMIN = 34),
// round-trips for every signal; 32 and 33 by number.
func TestRealTimeNames(t *testing.T) {
	for _, c := range []struct {
		sig  Signal
		name string
	}{{32, "SIG32"}, {33, "SIG33"}, {34, "SIGRTMIN"}, {37, "SIGRTMIN+3"}, {49, "SIGRTMIN+15"}, {50, "SIGRTMAX-14"}, {63, "SIGRTMAX-1"}, {64, "SIGRTMAX"}} {
		if got := c.sig.String(); got != c.name {
			t.Errorf("Signal(%d).String() = %q, want %q", c.sig, got, c.name)
		}
	}
	for s := Signal(1); s <= NSig; s++ {
		if got, err := ParseSignal(s.String()); err != nil || got != s {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d", s.String(), got, err, s)
		}
	}
	for in, want := range map[string]Signal{"rtmin+3": 37, "SIGRTMAX-30": 34, "RTMIN+30": 64, "37": 37} {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"SIGRTMIN+31", "SIGRTMAX-31", "SIGRTMIN-1", "65", "0"} {
		if got, err := ParseSignal(in); err == nil {
			t.Errorf("ParseSignal(%q) = %d; want an error", in, got)
		}
	}
}
