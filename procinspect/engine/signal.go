package engine

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// signalName normalises an engine's stop signal ("INT", "SIGINT", "2") to
// "SIGINT". A string that is no signal is returned as it is, with ok false.
//
// Real-time signals come back as their number ("37"): the engines (moby's
// and podman's signal tables, glibc's numbering) call 34 SIGRTMIN and 64
// SIGRTMAX, where the kernel's SIGRTMIN is 32, so "SIGRTMIN+3", the usual
// STOPSIGNAL of systemd images, is signal 37.
func signalName(s string) (string, bool) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if n, err := strconv.Atoi(t); err == nil {
		if name := unix.SignalName(unix.Signal(n)); name != "" {
			return name, true
		}
		if n >= 32 && n <= 64 {
			return strconv.Itoa(n), true
		}
		return s, false
	}
	if !strings.HasPrefix(t, "SIG") {
		t = "SIG" + t
	}
	if n, ok := engineRT(t); ok {
		return strconv.Itoa(n), true
	}
	if unix.SignalNum(t) != 0 {
		return t, true
	}
	return s, false
}

// engineRT numbers SIGRTMIN[+n] and SIGRTMAX[-n] as the engines do.
func engineRT(t string) (int, bool) {
	for _, r := range []struct {
		prefix string
		base   int
		sign   int
	}{{"SIGRTMIN", 34, 1}, {"SIGRTMAX", 64, -1}} {
		rest, ok := strings.CutPrefix(t, r.prefix)
		if !ok {
			continue
		}
		k := 0
		if rest != "" {
			op, num := rest[0], rest[1:]
			v, err := strconv.Atoi(num)
			if err != nil || v < 0 || (r.sign == 1 && op != '+') || (r.sign == -1 && op != '-') {
				return 0, false
			}
			k = v
		}
		n := r.base + r.sign*k
		return n, n >= 34 && n <= 64
	}
	return 0, false
}

// rtNote says how a real-time signal's name was numbered: " (SIGRTMIN+3,
// numbered as the engines do: signal 37)"; "" for any other signal.
func rtNote(orig, got string) string {
	if _, err := strconv.Atoi(got); err != nil || strings.TrimSpace(orig) == got {
		return ""
	}
	return " (" + strings.TrimSpace(orig) + ", numbered as the engines do, SIGRTMIN being 34: signal " + got + ")"
}
