package procinspect

import "testing"

// TestS6Script tells s6-linux-init-maker's .s6-svscan/SIG* scripts and
// s6-overlay's CMDSIG apart by their content (s6-linux-init-maker.c:
// put_shebang_options, sig_script; s6-overlay skel/CMDSIG), and anything
// else is "".
func TestS6Script(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"#!/bin/execlineb -P\n\n", S6ScriptEmpty},
		{"#!/command/execlineb -P\n", S6ScriptEmpty},
		{"#!/bin/sh\n", S6ScriptEmpty},
		// A #! line alone is a whole program when it names one that acts
		// (review 3): not empty.
		{"#!/sbin/poweroff\n", ""},
		{"#!/bin/s6-svscanctl -t .\n", ""},
		{"#!/bin/execlineb -P\n\n/bin/s6-linux-init-shutdown -h -- now\n", S6ScriptShutdown + "h"},
		{"#!/bin/execlineb -P\n\ns6-linux-init-shutdown -a -r -- now\n", S6ScriptShutdown + "r"},
		{"#!/bin/execlineb -P\n\n/usr/bin/s6-linux-init-shutdown -p -- now\n", S6ScriptShutdown + "p"},
		{"#!/bin/sh\n\nif pid=`cat /run/s6/cmdpid 2>/dev/null` ; then\n  kill -s \"${0##*/SIG}\" -- \"$pid\"\nelse\n  exec \"${0}.s6-linux-init\"\nfi\n", S6ScriptCMD},
		{"#!/bin/sh\nexit 0\n", ""},
		{"#!/bin/execlineb -P\n\n/bin/s6-linux-init-shutdown -h -t 3000 -- now\n", ""}, // a timeout: not its own
		{"#!/bin/execlineb -P\n\n/bin/s6-linux-init-shutdown -h -r -- now\n", ""},
		{"#!/bin/execlineb -P\n\n/bin/s6-linux-init-shutdown -- now\n", ""},
		{"#!/bin/sh\n/evil/s6-linux-init-shutdownx -h\n", ""},
		{"\n\n", ""}, // no shebang: not a script s6-linux-init wrote
		{"", ""},
	} {
		if got := s6Script([]byte(c.text)); got != c.want {
			t.Errorf("%q: %q, want %q", c.text, got, c.want)
		}
	}
}
