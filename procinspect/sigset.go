package procinspect

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Signal is a Linux signal number, 1 to 64 (x86_64 and generic numbering).
type Signal int

// The signals the engine treats specially (include/linux/signal.h, arch/x86 uapi).
const (
	SIGHUP   Signal = 1
	SIGINT   Signal = 2
	SIGQUIT  Signal = 3
	SIGKILL  Signal = 9
	SIGTERM  Signal = 15
	SIGCHLD  Signal = 17
	SIGCONT  Signal = 18
	SIGSTOP  Signal = 19
	SIGTSTP  Signal = 20
	SIGTTIN  Signal = 21
	SIGTTOU  Signal = 22
	SIGURG   Signal = 23
	SIGWINCH Signal = 28
)

// NSig is the number of signals the kernel knows (_NSIG on x86_64).
const NSig = 64

var sigNames = [32]string{"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
	"SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"}

// The real-time signals are named as docker, podman, glibc's bash and
// `kill -l` name them: glibc reserves the kernel's first two (32 and 33)
// for itself, so its SIGRTMIN is 34 and SIGRTMAX 64 ("SIGRTMIN+3" is 37,
// systemd's halt signal and podman's stop signal for systemd images).
// musl reserves one more (its SIGRTMIN is 35); sigview does not use that.
// 32 and 33, which no glibc program can name, are shown by number.
const (
	RTMin Signal = 34
	RTMax Signal = 64
)

// String returns the signal's name: SIGTERM; SIGRTMIN, SIGRTMIN+1 to
// SIGRTMIN+15, SIGRTMAX-14 to SIGRTMAX-1 and SIGRTMAX for 34 to 64 (glibc's
// and the engines' names); SIG32 and SIG33 for the two glibc reserves.
func (s Signal) String() string {
	switch {
	case s >= 1 && s < 32:
		return sigNames[s]
	case s == RTMin:
		return "SIGRTMIN"
	case s > RTMin && s <= RTMin+15:
		return "SIGRTMIN+" + strconv.Itoa(int(s-RTMin))
	case s > RTMin+15 && s < RTMax:
		return "SIGRTMAX-" + strconv.Itoa(int(RTMax-s))
	case s == RTMax:
		return "SIGRTMAX"
	}
	return "SIG" + strconv.Itoa(int(s))
}

// Valid reports whether s is a signal number the kernel accepts (1 to 64).
func (s Signal) Valid() bool { return s >= 1 && s <= NSig }

// ParseSignal accepts a number ("15"), a name with or without the SIG
// prefix in any case ("TERM", "sigterm"), a real-time name numbered as
// glibc and the engines number it ("SIGRTMIN+3" is 37, "RTMAX-1" 63), or
// SIG32 and SIG33.
func ParseSignal(v string) (Signal, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if s := Signal(n); s.Valid() {
			return s, nil
		}
		return 0, fmt.Errorf("signal %d out of range 1-%d", n, NSig)
	}
	u := strings.ToUpper(v)
	if !strings.HasPrefix(u, "SIG") {
		u = "SIG" + u
	}
	for i := 1; i < 32; i++ {
		if sigNames[i] == u {
			return Signal(i), nil
		}
	}
	switch u {
	case "SIGIOT":
		return 6, nil
	case "SIGPOLL":
		return 29, nil
	case "SIG32":
		return 32, nil
	case "SIG33":
		return 33, nil
	case "SIGRTMIN":
		return RTMin, nil
	case "SIGRTMAX":
		return RTMax, nil
	}
	for _, rt := range []struct {
		prefix string
		base   Signal
		sign   int
	}{{"SIGRTMIN+", RTMin, 1}, {"SIGRTMAX-", RTMax, -1}} {
		if rest, ok := strings.CutPrefix(u, rt.prefix); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 0 {
				if s := rt.base + Signal(rt.sign*n); s >= RTMin && s <= RTMax {
					return s, nil
				}
			}
			return 0, fmt.Errorf("%q is past the real-time signals (SIGRTMIN is 34, SIGRTMAX 64, as glibc and the engines number them)", v)
		}
	}
	return 0, fmt.Errorf("unknown signal %q", v)
}

// KernelOnly reports sig_kernel_only: SIGKILL and SIGSTOP, which cannot be
// caught, ignored or blocked, and are the only signals "force" can matter for.
func (s Signal) KernelOnly() bool { return s == SIGKILL || s == SIGSTOP }

// DefaultIgnore reports sig_kernel_ignore: the default action is to ignore.
func (s Signal) DefaultIgnore() bool {
	return s == SIGCHLD || s == SIGCONT || s == SIGURG || s == SIGWINCH
}

// IsStopSignal reports sig_kernel_stop.
func (s Signal) IsStopSignal() bool { return s >= SIGSTOP && s <= SIGTTOU }

// Coredump reports sig_kernel_coredump: the default action dumps core.
func (s Signal) Coredump() bool {
	switch s {
	case 3, 4, 5, 6, 7, 8, 11, 24, 25, 31:
		return true
	}
	return false
}

// DefaultAction names what SIG_DFL does for s: "terminate", "core",
// "ignore", "stop" or "continue".
func (s Signal) DefaultAction() string {
	switch {
	case s == SIGCONT:
		return "continue"
	case s.DefaultIgnore():
		return "ignore"
	case s.IsStopSignal():
		return "stop"
	case s.Coredump():
		return "core"
	}
	return "terminate"
}

// SigSet is a kernel signal set as /proc prints it: bit N-1 is signal N.
type SigSet uint64

// ParseSigSet parses the 16-hex-digit form of /proc/PID/status and fdinfo.
func ParseSigSet(s string) (SigSet, error) {
	if len(s) == 0 || len(s) > 16 {
		return 0, fmt.Errorf("signal mask %q: want 1 to 16 hex digits", s)
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("signal mask %q: not hexadecimal", s)
	}
	return SigSet(v), nil
}

// Has reports whether sig is in the set.
func (s SigSet) Has(sig Signal) bool {
	return sig.Valid() && s&(1<<(sig-1)) != 0
}

// With returns the set with sig added.
func (s SigSet) With(sig Signal) SigSet {
	if !sig.Valid() {
		return s
	}
	return s | 1<<(sig-1)
}

// Signals lists the members in ascending order.
func (s SigSet) Signals() []Signal {
	out := make([]Signal, 0, bits.OnesCount64(uint64(s)))
	for v := uint64(s); v != 0; v &= v - 1 {
		out = append(out, Signal(bits.TrailingZeros64(v)+1))
	}
	return out
}

// Names lists the members' names in ascending order; never nil.
func (s SigSet) Names() []string {
	sigs := s.Signals()
	out := make([]string, len(sigs))
	for i, sig := range sigs {
		out[i] = sig.String()
	}
	return out
}

// Hex renders the set as the kernel does: 16 lowercase hex digits. (A
// document shows five a process: not through fmt.)
func (s SigSet) Hex() string {
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = "0123456789abcdef"[s&0xf]
		s >>= 4
	}
	return string(b[:])
}

// Short renders the members without the SIG prefix, e.g. "INT,TERM", or "-"
// for the empty set (ps --signames style).
func (s SigSet) Short() string {
	if s == 0 {
		return "-"
	}
	names := s.Names()
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "SIG")
	}
	return strings.Join(names, ",")
}

// Mask is a signal set that may be unknown: the line was absent (gVisor
// prints no Sig* lines), unreadable or malformed.
type Mask struct {
	Set   SigSet
	Known bool
}

// KnownMask returns a known mask holding s.
func KnownMask(s SigSet) Mask { return Mask{Set: s, Known: true} }

// Has reports whether the mask is known and holds sig.
func (m Mask) Has(sig Signal) bool { return m.Known && m.Set.Has(sig) }

// Compact renders a set for people: the members without the SIG prefix,
// runs of real-time signals folded ("RTMIN+2..RTMIN+32"), and a set of
// more than half of all signals as what it lacks ("all but ILL,TRAP").
func (s SigSet) Compact() string {
	if bits.OnesCount64(uint64(s)) > NSig/2 {
		return "all but " + compactNames(^s)
	}
	return compactNames(s)
}

func compactNames(s SigSet) string {
	if s == 0 {
		return "-"
	}
	return strings.Join(s.CompactNames(), ",")
}

// CompactNames lists the set's short names in number order, with runs of
// three or more consecutive real-time signals folded into a range
// ("RTMIN+2..RTMIN+7"); a gap in a run starts a new one.
func (s SigSet) CompactNames() []string {
	var out []string
	sigs := s.Signals()
	for i := 0; i < len(sigs); {
		j := i
		for sigs[i] >= 32 && j+1 < len(sigs) && sigs[j+1] == sigs[j]+1 {
			j++
		}
		name := strings.TrimPrefix(sigs[i].String(), "SIG")
		if j-i >= 2 {
			name += ".." + strings.TrimPrefix(sigs[j].String(), "SIG")
		} else {
			j = i
		}
		out = append(out, name)
		i = j + 1
	}
	return out
}
