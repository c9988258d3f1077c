package predict

import "testing"

// TestS6LogProtect: s6-log's options read as its subgetopt reads
// "qvbpl:d:" (s6 2.11's s6-log.c; the optstring is in /usr/bin/s6-log).
func TestS6LogProtect(t *testing.T) {
	for _, c := range []struct {
		argv    []string
		protect bool
		bad     bool
	}{
		{[]string{"s6-log", "./main"}, false, false},
		{[]string{"s6-log", "-p", "./main"}, true, false},
		{[]string{"s6-log", "-bp", "./main"}, true, false},
		{[]string{"s6-log", "-bpd3", "--"}, true, false}, // s6-linux-init's catch-all logger
		{[]string{"s6-log", "-d3", "-p", "./main"}, true, false},
		{[]string{"s6-log", "-l", "4096", "-p", "./main"}, true, false},
		{[]string{"s6-log", "-l4096", "-p", "./main"}, true, false},
		{[]string{"s6-log", "-d", "-p", "./main"}, false, false}, // -p is -d's value
		{[]string{"s6-log", "-lp", "./main"}, false, false},      // p is -l's value
		{[]string{"s6-log", "-b", "--", "-p", "./main"}, false, false},
		{[]string{"s6-log", "./main", "-p"}, false, false}, // a directive, not an option
		{[]string{"s6-log", "-", "-p"}, false, false},
		{[]string{"s6-log", "-x", "-p", "./main"}, false, true},
		{[]string{"s6-log", "-b", "-l"}, false, true},
	} {
		protect, bad := s6LogProtect(c.argv)
		if protect != c.protect || (bad != "") != c.bad {
			t.Errorf("%q: protect %v, bad %q; want %v, bad %v", c.argv, protect, bad, c.protect, c.bad)
		}
	}
}
