package render_test

import (
	"testing"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/render"
)

// TestPlainNamesGap: a non-default real-time signal in the middle of the
// plain ones splits their range. The old compactRT folded every run of
// RTMIN names, gaps and all, into RTMIN..RTMIN+32.
func TestPlainNamesGap(t *testing.T) {
	known := func(s procinspect.SigSet) procinspect.Mask { return procinspect.Mask{Set: s, Known: true} }
	for _, c := range []struct {
		caught procinspect.SigSet
		want   string
	}{
		// glibc's names (SIGRTMIN = 34); its reserves 32 and 33 by number.
		{procinspect.SigSet(0).With(40), "32..RTMIN+5 RTMIN+7..RTMAX"},
		{procinspect.SigSet(0).With(34), "32 33 RTMIN+1..RTMAX"},
		{procinspect.SigSet(0).With(63), "32..RTMAX-2 RTMAX"},
		{0, "32..RTMAX"},
	} {
		st := procinspect.Status{SigCgt: known(c.caught), SigIgn: known(0), SigBlk: known(0), SigPnd: known(0), ShdPnd: known(0)}
		p := &procinspect.Process{PID: 7, Status: &st}
		got := render.PlainNames(render.SignalRows(p))
		const head = "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS "
		if got != head+c.want {
			t.Errorf("PlainNames with %s caught = %q; want %q", c.caught.Compact(), got, head+c.want)
		}
	}
}
