package procinspect

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sigview/sigview/internal/texttest"
)

// realStatus is /proc/self/status of `cat` on the development machine
// (Linux 6.18, initial PID namespace), copied verbatim.
const realStatus = "Name:\tcat\n" +
	"Umask:\t0022\n" +
	"State:\tR (running)\n" +
	"Tgid:\t4749\n" +
	"Ngid:\t0\n" +
	"Pid:\t4749\n" +
	"PPid:\t4745\n" +
	"TracerPid:\t0\n" +
	"Uid:\t0\t0\t0\t0\n" +
	"Gid:\t0\t0\t0\t0\n" +
	"FDSize:\t256\n" +
	"Groups:\t \n" +
	"NStgid:\t4749\n" +
	"NSpid:\t4749\n" +
	"NSpgid:\t4745\n" +
	"NSsid:\t3971\n" +
	"Kthread:\t0\n" +
	"VmPeak:\t    3060 kB\n" +
	"VmSize:\t    3060 kB\n" +
	"VmLck:\t       0 kB\n" +
	"VmPin:\t       0 kB\n" +
	"VmHWM:\t    1736 kB\n" +
	"VmRSS:\t    1736 kB\n" +
	"RssAnon:\t     116 kB\n" +
	"RssFile:\t    1620 kB\n" +
	"RssShmem:\t       0 kB\n" +
	"VmData:\t     360 kB\n" +
	"VmStk:\t     132 kB\n" +
	"VmExe:\t      20 kB\n" +
	"VmLib:\t    1528 kB\n" +
	"VmPTE:\t      44 kB\n" +
	"VmSwap:\t       0 kB\n" +
	"HugetlbPages:\t       0 kB\n" +
	"CoreDumping:\t0\n" +
	"THP_enabled:\t1\n" +
	"untag_mask:\t0xffffffffffffffff\n" +
	"Threads:\t1\n" +
	"SigQ:\t0/96365\n" +
	"SigPnd:\t0000000000000000\n" +
	"ShdPnd:\t0000000000000000\n" +
	"SigBlk:\t0000000000000000\n" +
	"SigIgn:\t0000000000000000\n" +
	"SigCgt:\t0000000000000000\n" +
	"CapInh:\t0000000000000000\n" +
	"CapPrm:\t000001fffeffffff\n" +
	"CapEff:\t000001fffeffffff\n" +
	"CapBnd:\t000001fffeffffff\n" +
	"CapAmb:\t0000000000000000\n" +
	"NoNewPrivs:\t0\n" +
	"Seccomp:\t0\n" +
	"Seccomp_filters:\t0\n" +
	"Speculation_Store_Bypass:\tthread vulnerable\n" +
	"SpeculationIndirectBranch:\tconditional enabled\n" +
	"Cpus_allowed:\t3\n" +
	"Cpus_allowed_list:\t0-1\n" +
	"Mems_allowed:\t00000000,00000001\n" +
	"Mems_allowed_list:\t0\n" +
	"voluntary_ctxt_switches:\t0\n" +
	"nonvoluntary_ctxt_switches:\t0\n"

// containerInitStatus is a container init (PID 1 of a level-1 namespace)
// that blocks INT and TERM and catches HUP, with a pending TERM.
const containerInitStatus = "Name:\tmyinit\n" +
	"State:\tS (sleeping)\n" +
	"Tgid:\t4242\n" +
	"Pid:\t4242\n" +
	"PPid:\t4200\n" +
	"TracerPid:\t0\n" +
	"Uid:\t1000\t1000\t1000\t1000\n" +
	"NStgid:\t4242\t1\n" +
	"NSpid:\t4242\t1\n" +
	"Kthread:\t0\n" +
	"Threads:\t2\n" +
	"SigQ:\t1/31349\n" +
	"SigPnd:\t0000000000000000\n" +
	"ShdPnd:\t0000000000004000\n" +
	"SigBlk:\t0000000000004002\n" +
	"SigIgn:\t0000000000001000\n" +
	"SigCgt:\t0000000000000001\n"

// gvisorStatus is shaped like gVisor's status file: no SigQ or Sig* lines.
const gvisorStatus = "Name:\tsleep\n" +
	"State:\tS (sleeping)\n" +
	"Tgid:\t1\n" +
	"Pid:\t1\n" +
	"PPid:\t0\n" +
	"TracerPid:\t0\n" +
	"Uid:\t0\t0\t0\t0\n" +
	"NSpid:\t1\n" +
	"Threads:\t1\n"

// malformedStatus has a bad hex mask, a short mask, a too-long mask, a
// non-numeric NSpid field, a zero NStgid field, a non-numeric PPid, a short
// Uid line, an empty State, a short CapEff and a non-numeric Seccomp.
const malformedStatus = "Name:\tbroken\n" +
	"State:\t\n" +
	"Pid:\t7000\n" +
	"PPid:\tabc\n" +
	"Uid:\t0\t0\t0\n" +
	"NStgid:\t7000\t0\n" +
	"NSpid:\t7000\tabc\n" +
	"SigPnd:\t00000000000000000\n" +
	"ShdPnd:\t0000000000000000\n" +
	"SigBlk:\tzzzzzzzzzzzzzzzz\n" +
	"SigIgn:\t1000\n" +
	"SigCgt:\t\n" +
	"CapEff:\t1fffeffffff\n" +
	"Seccomp:\tx\n"

var zeroMask = KnownMask(0)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Status
	}{
		{
			name: "real /proc/self/status",
			in:   realStatus,
			want: Status{Name: "cat", State: 'R', Tgid: KnownInt(4749), PPid: KnownInt(4745),
				TracerPid: KnownInt(0), Uid: Of([4]int{0, 0, 0, 0}), Threads: KnownInt(1),
				NStgid: []int{4749}, NSpid: []int{4749}, NSpgid: []int{4745}, SigQ: "0/96365",
				SigPnd: zeroMask, ShdPnd: zeroMask, SigBlk: zeroMask, SigIgn: zeroMask, SigCgt: zeroMask, Kthread: KnownFlag(false),
				Switches: Of([2]uint64{0, 0}), CapEff: Of(uint64(0x1fffeffffff)), Seccomp: KnownInt(0)},
		},
		{
			name: "container init",
			in:   containerInitStatus,
			want: Status{Name: "myinit", State: 'S', Tgid: KnownInt(4242), PPid: KnownInt(4200),
				TracerPid: KnownInt(0), Uid: Of([4]int{1000, 1000, 1000, 1000}),
				Threads: KnownInt(2), NStgid: []int{4242, 1}, NSpid: []int{4242, 1}, SigQ: "1/31349",
				SigPnd: zeroMask, ShdPnd: KnownMask(0x4000), SigBlk: KnownMask(0x4002),
				SigIgn: KnownMask(0x1000), SigCgt: KnownMask(0x1), Kthread: KnownFlag(false)},
		},
		{
			// gVisor omits the Sig* lines: each mask is unknown, never 0.
			name: "no Sig lines (gVisor)",
			in:   gvisorStatus,
			want: Status{Name: "sleep", State: 'S', Tgid: KnownInt(1), PPid: KnownInt(0),
				TracerPid: KnownInt(0), Uid: Of([4]int{}), Threads: KnownInt(1), NSpid: []int{1}},
		},
		{
			name: "malformed lines",
			in:   malformedStatus,
			want: Status{Name: "broken", ShdPnd: zeroMask, Problems: []string{
				`malformed State line ""`,
				`malformed PPid line "abc"`,
				`malformed Uid line "0\t0\t0"`,
				`malformed NStgid line "7000\t0"`,
				`malformed NSpid line "7000\tabc"`,
				`malformed SigPnd line "00000000000000000"`,
				`malformed SigBlk line "zzzzzzzzzzzzzzzz"`,
				`malformed SigIgn line "1000"`,
				`malformed SigCgt line ""`,
				`malformed CapEff line "1fffeffffff"`,
				`malformed Seccomp line "x"`,
			}},
		},
		{
			// A count alone, or a malformed one: the pair is unknown, so a
			// rescan never takes the process for asleep since (reuse.go).
			name: "context switches",
			in:   "Pid:\t1\nvoluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t-1\n",
			want: Status{Problems: []string{`malformed nonvoluntary_ctxt_switches line "-1"`}},
		},
		{
			name: "context switches, both",
			in:   "Pid:\t1\nvoluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t18446744073709551615\n",
			want: Status{Switches: Of([2]uint64{7, 1<<64 - 1})},
		},
		{
			name: "long malformed value is shortened",
			in:   "Pid:\t1\nSigBlk:\t" + strings.Repeat("g", 60) + "\n",
			want: Status{Problems: []string{`malformed SigBlk line "` + strings.Repeat("g", 40) + `…"`}},
		},
		{
			// The name keeps its own spaces and colons; only the tab after
			// "Name:" is a separator.
			name: "name with spaces and colon",
			in:   "Name:\t my:name \nPid:\t9\n",
			want: Status{Name: " my:name "},
		},
		{
			name: "kernel thread",
			in:   "Name:\tkthreadd\nState:\tS (sleeping)\nPid:\t2\nNSpid:\t2\nKthread:\t1\n",
			want: Status{Name: "kthreadd", State: 'S', NSpid: []int{2}, Kthread: KnownFlag(true)},
		},
		{
			name: "Pid line only",
			in:   "Pid:\t12\n",
			want: Status{},
		},
		{
			name: "no trailing newline",
			in:   "Name:\tx\nSigCgt:\t0000000000004000\nNSpid:\t5\t1",
			want: Status{Name: "x", SigCgt: KnownMask(0x4000), NSpid: []int{5, 1}},
		},
		{
			// A later line wins, as when a file is concatenated or rewritten.
			name: "repeated line, last wins",
			in:   "Name:\ta\nSigIgn:\t0000000000000001\nSigIgn:\tzz\n",
			want: Status{Name: "a", Problems: []string{`malformed SigIgn line "zz"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStatus([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseStatus(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseStatus(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseStatusNotAStatusFile(t *testing.T) {
	for _, in := range []string{
		"",
		"hello world\n",
		"cpu  1 2 3 4\n",              // /proc/stat
		"name:\tlowercase\npid:\t1\n", // keys are case-sensitive
		"\x00\x01\x02",
		"SigCgt:\t0000000000000000\n", // masks but no Name or Pid
	} {
		if got, err := ParseStatus([]byte(in)); err == nil {
			t.Errorf("ParseStatus(%q) = %+v, nil; want an error", in, got)
		}
	}
}

// TestParseStatusUnknownIsNotZero checks the house rule on each mask
// separately: a missing line is unknown, never a known 0.
func TestParseStatusUnknownIsNotZero(t *testing.T) {
	keys := []string{"SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"}
	for _, drop := range keys {
		var b strings.Builder
		b.WriteString("Name:\tx\nPid:\t1\n")
		for _, k := range keys {
			if k != drop {
				b.WriteString(k + ":\t0000000000000000\n")
			}
		}
		st, err := ParseStatus([]byte(b.String()))
		if err != nil {
			t.Fatalf("ParseStatus(%q) error: %v", b.String(), err)
		}
		masks := map[string]Mask{"SigPnd": st.SigPnd, "ShdPnd": st.ShdPnd, "SigBlk": st.SigBlk,
			"SigIgn": st.SigIgn, "SigCgt": st.SigCgt}
		for k, m := range masks {
			if wantKnown := k != drop; m.Known != wantKnown {
				t.Errorf("without %s: %s.Known = %v, want %v", drop, k, m.Known, wantKnown)
			}
		}
		if len(st.Problems) != 0 {
			t.Errorf("without %s: Problems = %q, want none (an absent line is not malformed)", drop, st.Problems)
		}
	}
}

func TestStatusNamespaceHelpers(t *testing.T) {
	tests := []struct {
		nspid     []int
		isInit    bool
		known     bool
		level     int
		nsPID     int
		nameOfRow string
	}{
		{nil, false, false, -1, 0, "NSpid absent"},
		{[]int{1}, true, true, 0, 1, "host init"},
		{[]int{100}, false, true, 0, 100, "host process"},
		{[]int{4242, 1}, true, true, 1, 1, "container init"},
		{[]int{4250, 7}, false, true, 1, 7, "container process"},
		{[]int{5000, 30, 1}, true, true, 2, 1, "nested init"},
		{[]int{1, 5}, false, true, 1, 5, "host PID 1 is not the point: the last field is"},
	}
	for _, tt := range tests {
		s := Status{NSpid: tt.nspid}
		if isInit, known := s.IsInit(); isInit != tt.isInit || known != tt.known {
			t.Errorf("%s: Status{NSpid: %v}.IsInit() = %v, %v; want %v, %v", tt.nameOfRow, tt.nspid, isInit, known, tt.isInit, tt.known)
		}
		if got := s.Level(); got != tt.level {
			t.Errorf("%s: Status{NSpid: %v}.Level() = %d, want %d", tt.nameOfRow, tt.nspid, got, tt.level)
		}
		if got := s.NSPID(); got != tt.nsPID {
			t.Errorf("%s: Status{NSpid: %v}.NSPID() = %d, want %d", tt.nameOfRow, tt.nspid, got, tt.nsPID)
		}
	}
}

func TestParseSigSet(t *testing.T) {
	tests := []struct {
		in      string
		want    SigSet
		wantErr bool
	}{
		{"0000000000000000", 0, false},
		{"0000000000004002", 1<<1 | 1<<14, false},
		{"ffffffffffffffff", ^SigSet(0), false},
		{"fffffffd7fc1feff", 0xfffffffd7fc1feff, false},
		{"8000000000000000", 1 << 63, false},
		{"1", 1, false}, // 1 to 16 digits are accepted; the status parser insists on 16
		{"", 0, true},
		{"00000000000000000", 0, true}, // 17 digits
		{"zzzzzzzzzzzzzzzz", 0, true},
		{"0x4002", 0, true},
		{"-1", 0, true},
		{"+1", 0, true},
		{" 4002", 0, true},
		{"40_02", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSigSet(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseSigSet(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseSigSet(%q) = %#x, want %#x", tt.in, uint64(got), uint64(tt.want))
		}
	}
}

func TestSigSetMethods(t *testing.T) {
	tests := []struct {
		set     SigSet
		signals []Signal
		names   []string
		hex     string
		short   string
	}{
		{0, []Signal{}, []string{}, "0000000000000000", "-"},
		{0x4002, []Signal{SIGINT, SIGTERM}, []string{"SIGINT", "SIGTERM"}, "0000000000004002", "INT,TERM"},
		{1, []Signal{SIGHUP}, []string{"SIGHUP"}, "0000000000000001", "HUP"},
		// glibc's two reserves by number; SIGRTMIN is 34, as the engines say.
		{1 << 31, []Signal{32}, []string{"SIG32"}, "0000000080000000", "32"},
		{0x180000000, []Signal{32, 33}, []string{"SIG32", "SIG33"}, "0000000180000000", "32,33"},
		{1 << 34, []Signal{35}, []string{"SIGRTMIN+1"}, "0000000400000000", "RTMIN+1"},
		{1 << 36, []Signal{37}, []string{"SIGRTMIN+3"}, "0000001000000000", "RTMIN+3"},
		{1 << 63, []Signal{64}, []string{"SIGRTMAX"}, "8000000000000000", "RTMAX"},
	}
	for _, tt := range tests {
		if got := tt.set.Signals(); !cmp.Equal(tt.signals, got) {
			t.Errorf("SigSet(%#x).Signals() = %v, want %v", uint64(tt.set), got, tt.signals)
		}
		got := tt.set.Names()
		if got == nil {
			t.Errorf("SigSet(%#x).Names() = nil, want a non-nil slice", uint64(tt.set))
		}
		if !cmp.Equal(tt.names, got) {
			t.Errorf("SigSet(%#x).Names() = %q, want %q", uint64(tt.set), got, tt.names)
		}
		if got := tt.set.Hex(); got != tt.hex {
			t.Errorf("SigSet(%#x).Hex() = %q, want %q", uint64(tt.set), got, tt.hex)
		}
		if got := tt.set.Short(); got != tt.short {
			t.Errorf("SigSet(%#x).Short() = %q, want %q", uint64(tt.set), got, tt.short)
		}
		if back, err := ParseSigSet(tt.set.Hex()); err != nil || back != tt.set {
			t.Errorf("ParseSigSet(%q) = %#x, %v; want %#x (round trip)", tt.set.Hex(), uint64(back), err, uint64(tt.set))
		}
	}

	// Bit N-1 is signal N (the off-by-one of sio2jail#31).
	s := SigSet(0x4000)
	for sig := Signal(-1); sig <= 66; sig++ {
		if got, want := s.Has(sig), sig == SIGTERM; got != want {
			t.Errorf("SigSet(0x4000).Has(%d) = %v, want %v", sig, got, want)
		}
	}
	if got := ^SigSet(0); got.Has(0) || got.Has(65) || got.Has(-1) {
		t.Errorf("full set Has(0/65/-1) = true, want false for invalid signals")
	}
	if got := SigSet(0).With(SIGTERM).With(SIGINT); got != 0x4002 {
		t.Errorf("SigSet(0).With(SIGTERM).With(SIGINT) = %#x, want 0x4002", uint64(got))
	}
	if got := SigSet(0).With(64); got != 1<<63 {
		t.Errorf("SigSet(0).With(64) = %#x, want 1<<63", uint64(got))
	}
	for _, bad := range []Signal{0, -3, 65, 1000} {
		if got := SigSet(0x4002).With(bad); got != 0x4002 {
			t.Errorf("SigSet(0x4002).With(%d) = %#x, want it unchanged", bad, uint64(got))
		}
	}

	// A Mask answers Has only when it is known.
	if (Mask{Set: 0x4000}).Has(SIGTERM) {
		t.Errorf("unknown Mask{Set: 0x4000}.Has(SIGTERM) = true, want false")
	}
	if !KnownMask(0x4000).Has(SIGTERM) {
		t.Errorf("KnownMask(0x4000).Has(SIGTERM) = false, want true")
	}
}

func TestSignalString(t *testing.T) {
	tests := []struct {
		sig  Signal
		want string
	}{
		{1, "SIGHUP"},
		{2, "SIGINT"},
		{6, "SIGABRT"},
		{9, "SIGKILL"},
		{15, "SIGTERM"},
		{16, "SIGSTKFLT"},
		{17, "SIGCHLD"},
		{19, "SIGSTOP"},
		{29, "SIGIO"},
		{31, "SIGSYS"},
		{32, "SIG32"}, // glibc's reserves, by number
		{33, "SIG33"},
		{34, "SIGRTMIN"}, // glibc's and the engines' SIGRTMIN
		{37, "SIGRTMIN+3"},
		{63, "SIGRTMAX-1"},
		{64, "SIGRTMAX"},
		{0, "SIG0"},
		{65, "SIG65"},
		{-1, "SIG-1"},
	}
	for _, tt := range tests {
		if got := tt.sig.String(); got != tt.want {
			t.Errorf("Signal(%d).String() = %q, want %q", int(tt.sig), got, tt.want)
		}
	}
}

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in      string
		want    Signal
		wantErr bool
	}{
		{"15", SIGTERM, false},
		{"9", SIGKILL, false},
		{"64", 64, false},
		{"TERM", SIGTERM, false},
		{"SIGTERM", SIGTERM, false},
		{"sigterm", SIGTERM, false},
		{"term", SIGTERM, false},
		{"SigKill", SIGKILL, false},
		{"IOT", 6, false},
		{"SIGPOLL", 29, false},
		{"RTMIN", 34, false},
		{"SIGRTMIN", 34, false},
		{"SIGRTMIN+0", 34, false},
		{"SIGRTMIN+3", 37, false},
		{"rtmin+3", 37, false},
		{"SIGRTMIN+30", 64, false},
		{"RTMAX", 64, false},
		{"SIGRTMAX-1", 63, false},
		{"SIGRTMAX-30", 34, false},
		{"SIG32", 32, false},
		{"sig33", 33, false},
		{"0", 0, true},
		{"65", 0, true},
		{"-9", 0, true},
		{"", 0, true},
		{"SIG", 0, true},
		{"SIGFOO", 0, true},
		{"SIGRTMIN+31", 0, true},
		{"SIGRTMAX-31", 0, true},
		{"SIGRTMIN-1", 0, true},
		{"SIGRTMIN+-1", 0, true},
		{"SIGRTMIN+x", 0, true},
		{"TERM ", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseSignal(%q) = %v, %v; want error %v", tt.in, got, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && got != tt.want {
			t.Errorf("ParseSignal(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}

	// Every valid signal's name parses back to it.
	for sig := Signal(1); sig <= NSig; sig++ {
		if got, err := ParseSignal(sig.String()); err != nil || got != sig {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d (round trip)", sig.String(), got, err, sig)
		}
	}
}

func TestSignalDefaultAction(t *testing.T) {
	tests := []struct {
		sig  Signal
		want string
	}{
		{SIGHUP, "terminate"}, {SIGTERM, "terminate"}, {SIGKILL, "terminate"}, {SIGQUIT, "core"},
		{11, "core"}, {SIGCHLD, "ignore"}, {SIGURG, "ignore"}, {SIGWINCH, "ignore"},
		{SIGCONT, "continue"}, {SIGSTOP, "stop"}, {SIGTSTP, "stop"}, {SIGTTOU, "stop"},
		{35, "terminate"},
	}
	for _, tt := range tests {
		if got := tt.sig.DefaultAction(); got != tt.want {
			t.Errorf("%v.DefaultAction() = %q, want %q", tt.sig, got, tt.want)
		}
	}
}

func TestParseCmdline(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\x00", nil},
		{"sleep\x00infinity\x00", []string{"sleep", "infinity"}},
		{"/sbin/init\x00", []string{"/sbin/init"}},
		{"a\x00\x00b\x00", []string{"a", "", "b"}},
		{"a\x00\x00", []string{"a", ""}},
		// setproctitle overwrites argv with one string and no NUL.
		{"nginx: worker process", []string{"nginx: worker process"}},
		{"bad\xff\x00\x1b[31m\x00", []string{"bad\xff", "\x1b[31m"}},
	}
	for _, tt := range tests {
		if got := ParseCmdline([]byte(tt.in)); !cmp.Equal(tt.want, got) {
			t.Errorf("ParseCmdline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseStartTime(t *testing.T) {
	// realStat is /proc/self/stat of `cat` on the development machine.
	const realStat = "4985 (cat) R 4977 4977 3971 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 50704 3133440 394 " +
		"18446744073709551615 94210879688704 94210879708585 140734573927440 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 " +
		"94210879724592 94210879726208 94211358765056 140734573931203 140734573931223 140734573931223 140734573932523 0\n"
	rest := " S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000000 300 18446744073709551615 0 0\n"
	tests := []struct {
		in      string
		want    uint64
		wantErr bool
	}{
		{realStat, 50704, false},
		{"42 (my prog)" + rest, 987654, false},
		{"42 (a) b (c))" + rest, 987654, false},
		{"42 () S 1 2 3)" + rest, 987654, false},
		{"42 ()" + rest, 987654, false},
		{"42 (x\x1b[31m)" + rest, 987654, false},
		{"42 cat R 1 2 3", 0, true},   // no ')'
		{"42 (cat) R 1 2 3", 0, true}, // too few fields
		{"42 (cat)" + strings.Replace(rest, "987654", "-5", 1), 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseStartTime([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseStartTime(%q) = %d, %v; want error %v", tt.in, got, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseStartTime(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseSyscall(t *testing.T) {
	tests := []struct {
		in      string
		nr      int
		args    [6]uint64
		wantErr bool
	}{
		{"running\n", -1, [6]uint64{}, false},
		{"-1 0x7ffd1526c538 0x7f1447b012ad\n", -1, [6]uint64{}, false},
		{"0 0x3 0x7f1447985000 0x20000 0x7f1447a18b60 0xffffffff 0x0 0x7ffd1526c538 0x7f1447b012ad\n",
			0, [6]uint64{3, 0x7f1447985000, 0x20000, 0x7f1447a18b60, 0xffffffff, 0}, false},
		{"128 0x7f61f4ffed50 0x0 0x0 0x8 0x0 0x0 0x7f61f4ffed28 0x7f61f5e3a1d4\n",
			128, [6]uint64{0x7f61f4ffed50, 0, 0, 8, 0, 0}, false},
		{"61 0xffffffffffffffff 0x7ffe2c6d1a5c 0x0 0x0 0x0 0x0 0x7ffe2c6d1a38 0x7f61f5e0e2f3",
			61, [6]uint64{^uint64(0), 0x7ffe2c6d1a5c, 0, 0, 0, 0}, false},
		{"", -2, [6]uint64{}, true},
		{"\n", -2, [6]uint64{}, true},
		{"abc 0x0", -2, [6]uint64{}, true},
		{"7 0x1 0x2", -2, [6]uint64{}, true},
		{"7 0x1 0x2 0xzz 0x0 0x0 0x0 0x0 0x0", -2, [6]uint64{}, true},
	}
	for _, tt := range tests {
		nr, args, err := ParseSyscall([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseSyscall(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			if nr != -2 {
				t.Errorf("ParseSyscall(%q) = %d, %v; want -2 with the error", tt.in, nr, err)
			}
			continue
		}
		if nr != tt.nr || args != tt.args {
			t.Errorf("ParseSyscall(%q) = %d, %#x; want %d, %#x", tt.in, nr, args, tt.nr, tt.args)
		}
	}
}

func TestParseFdinfoSigmask(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Mask
	}{
		{"signalfd", "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\nsigmask:\t0000000000004002\n", KnownMask(0x4002)},
		{"no newline", "pos:\t0\nsigmask:\t0000000000000200", KnownMask(0x200)},
		{"empty set", "sigmask:\t0000000000000000\n", KnownMask(0)},
		{"not a signalfd", "pos:\t0\nflags:\t0100000\nmnt_id:\t25\nino:\t5\n", Mask{}},
		{"empty", "", Mask{}},
		{"bad hex", "sigmask:\tzzzzzzzzzzzzzzzz\n", Mask{}},
		{"short", "sigmask:\t4002\n", Mask{}},
		{"too long", "sigmask:\t00000000000004002\n", Mask{}},
	}
	for _, tt := range tests {
		if got := parseFdinfoSigmask([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: parseFdinfoSigmask(%q) = %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", ""},
		{"systemd", "systemd"},
		{"kworker/0:1H-events_highpri", "kworker/0:1H-events_highpri"},
		{"my prog (x)", "my prog (x)"},
		{"\x1b[31mevil\x1b[0m", `\x1b[31mevil\x1b[0m`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"a\tb\nc\rd", `a\x09b\x0ac\x0dd`},
		{"del\x7f", `del\x7f`},
		{"nul\x00", `nul\x00`},
		{"bad\xff\xfename", `bad\xff\xfename`},
		{"caf\xe9", `caf\xe9`},
		{"\xc3\x28", `\xc3(`},
		{"café", "café"},
		{"名前", "名前"},
		{"\u009b31m", `\u{009b}31m`}, // C1 CSI: some terminals treat it as ESC [
		{"a\u202eb", `a\u{202e}b`},   // right-to-left override
		{"a\u200bb", `a\u{200b}b`},   // zero-width space
		{`back\slash`, `back\slash`},
	}
	for _, tt := range tests {
		got := Printable(tt.in)
		if got != tt.want {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := texttest.Hazard(got); err != "" {
			t.Errorf("Printable(%q) = %q: %s", tt.in, got, err)
		}
	}
}

// TestReadStatusSizes reads status files around and beyond the size of a
// page, where a reader that stops at its first buffer would lose the Sig*
// lines at the end (a long Mems_allowed line on a big machine).
func TestReadStatusSizes(t *testing.T) {
	dir := t.TempDir()
	tail := "SigBlk:\t0000000000004002\nSigCgt:\t0000000000000001\n"
	for _, size := range []int{100, 4095, 4096, 4097, 8192, 20000} {
		head := "Name:\tbig\nPid:\t1\nMems_allowed:\t"
		pad := size - len(head) - len("\n") - len(tail)
		if pad < 0 {
			pad = 0
		}
		text := head + strings.Repeat("0", pad) + "\n" + tail
		path := dir + "/status-" + strconv.Itoa(size)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := ReadStatus(path)
		if err != nil {
			t.Fatalf("ReadStatus(%d bytes) error: %v", len(text), err)
		}
		if st.Name != "big" || st.SigBlk != KnownMask(0x4002) || st.SigCgt != KnownMask(1) {
			t.Errorf("ReadStatus(%d bytes) = Name %q SigBlk %+v SigCgt %+v; want big, 0x4002, 0x1", len(text), st.Name, st.SigBlk, st.SigCgt)
		}
	}
	if _, err := ReadStatus(dir + "/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadStatus(missing) error = %v, want fs.ErrNotExist (a vanished process)", err)
	}
	if err := os.WriteFile(dir+"/notstatus", []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadStatus(dir + "/notstatus"); err == nil || !strings.Contains(err.Error(), "notstatus") {
		t.Errorf("ReadStatus(not a status file) error = %v, want one naming the path", err)
	}
}

// TestNSPgid: the process group inside the process's own namespace is
// NSpgid's last entry, unknown (0) without the line or when it does not
// have NSpid's levels.
func TestNSPgid(t *testing.T) {
	for _, c := range []struct {
		st   Status
		want int
	}{
		{Status{NSpid: []int{4242, 7}, NSpgid: []int{4240, 5}}, 5},
		{Status{NSpid: []int{4242, 1}, NSpgid: []int{4242, 1}}, 1},
		{Status{NSpid: []int{4242, 7}}, 0},
		{Status{NSpid: []int{4242, 7}, NSpgid: []int{4240}}, 0},
	} {
		if got := c.st.NSPgid(); got != c.want {
			t.Errorf("%v %v: %d, want %d", c.st.NSpid, c.st.NSpgid, got, c.want)
		}
	}
}
