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
		// tini's waited set (kernel-signals.md §4.2).
		{0xfffffffe3fcffb07, "all but ILL,TRAP,ABRT,BUS,FPE,SEGV,TTIN,TTOU,SYS,RTMIN,RTMIN+1"},
	}
	for _, tt := range tests {
		if got := tt.set.Compact(); got != tt.want {
			t.Errorf("SigSet(%#x).Compact() = %q; want %q", uint64(tt.set), got, tt.want)
		}
	}
}
