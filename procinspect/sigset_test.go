package procinspect

import "testing"

func TestSigSetCompact(t *testing.T) {
	tests := []struct {
		set  SigSet
		want string
	}{
		{0, "-"},
		{SigSet(0).With(SIGINT).With(SIGTERM), "INT,TERM"},
		{SigSet(0).With(33).With(34), "RTMIN+1,RTMIN+2"},
		{SigSet(0).With(34).With(35).With(36).With(SIGHUP), "HUP,RTMIN+2..RTMIN+4"},
		// tini's waited set (docs/kernel-signals.md §4.2).
		{0xfffffffe3fcffb07, "all but ILL,TRAP,ABRT,BUS,FPE,SEGV,TTIN,TTOU,SYS,RTMIN,RTMIN+1"},
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
