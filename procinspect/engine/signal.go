package engine

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// signalName normalises an engine's stop signal ("INT", "SIGINT", "2") to
// "SIGINT". A string that is no signal is returned as it is, with ok false.
func signalName(s string) (string, bool) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if n, err := strconv.Atoi(t); err == nil {
		if name := unix.SignalName(unix.Signal(n)); name != "" {
			return name, true
		}
		return s, false
	}
	if !strings.HasPrefix(t, "SIG") {
		t = "SIG" + t
	}
	if unix.SignalNum(t) != 0 {
		return t, true
	}
	return s, false
}
