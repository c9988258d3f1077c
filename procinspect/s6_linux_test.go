package procinspect_test

// s6-svscan really run as PID 1 with logged services and finish scripts
// (s6 2.11: s6-svscan.c killthem, s6-supervise.c up_x, uplastup_z): on
// SIGTERM and SIGINT a logger's s6-supervise gets SIGHUP, which signals
// nothing, and waits for its logger to end at the end of its input.

import "time"

// The logged service and its s6-log logger, writing below the service
// directory.
const (
	s6Sleep  = "#!/bin/sh\nexec sleep 1000\n"
	s6LogRun = "#!/bin/sh\nexec s6-log ./main\n"
	// A service whose own child inherits its stdout, the logger's input.
	s6SleepChild = "#!/bin/sh\nsleep 1000 &\nexec sleep 1000\n"
)

// s6LinuxInitEmpty is the script s6-linux-init-maker writes for a signal
// that does nothing (put_shebang_options: the shebang and an empty line).
const s6LinuxInitEmpty = "#!/bin/execlineb -P\n\n"

var alive0 = want{verdict: "no", outcome: "handled", end: alive}

var s6Cases = []kernelCase{
	// s6-log ends at the end of its input, which ends when the service,
	// its s6-supervise and s6-svscan have closed the pipe: exit 0. On
	// SIGQUIT the logger's s6-supervise sends it SIGTERM.
	{name: "s6-svscan, a service with an s6-log logger", program: "s6-svscan", kids: 2, grand: true, grace: 3 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6Sleep, "web/log/run": s6LogRun}),
		want: withKill(map[send]want{
			termIn:   {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "s6-log, which exits at the end of its input"},
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "sends its logger nothing"},
			intHost:  {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "s6-log, which exits at the end of its input"},
			quitIn:   {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "s6-log logs its last line and exits"},
			quitHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "s6-log logs its last line and exits"},
			hupHost:  alive0})},
	// A logger that never reads its input (sleep): on SIGTERM nothing
	// ends it, and that is its own code; on SIGQUIT it gets SIGTERM.
	{name: "s6-svscan, a logger that is not s6-log", program: "s6-svscan", kids: 2, grand: true, grace: 3 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6Sleep, "web/log/run": s6Sleep}),
		want: map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "at the end of its input is its own code"},
			quitHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "sleep (PID"}}},
	// The service's child inherits its stdout, the logger's input, and
	// outlives it: s6-log never sees the end of its input.
	{name: "s6-svscan, a logged service with a child holding the pipe", program: "s6-svscan", kids: 2, grand: true, great: true, grace: 3 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6SleepChild, "web/log/run": s6LogRun}),
		want: map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "may hold it open"}}},
	// s6-log -p ignores SIGTERM (s6-log.c: flagprotect), and its options
	// are clustered as subgetopt reads them ("qvbpl:d:"): on SIGQUIT its
	// s6-supervise sends it SIGTERM, which it ignores, and its input is
	// held open by the service's child. Was predicted yes (-p was looked
	// for only as a word of its own before the first other word).
	{name: "s6-svscan, s6-log -bp and a service's child holding the pipe", program: "s6-svscan", kids: 2, grand: true, great: true, grace: 3 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6SleepChild, "web/log/run": "#!/bin/sh\nexec s6-log -bp ./main\n"}),
		want: map[send]want{
			quitHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "s6-log ignores SIGTERM with -p"}}},
	{name: "s6-svscan, s6-log -l 4096 -p and a service's child holding the pipe", program: "s6-svscan", kids: 2, grand: true, great: true, grace: 3 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6SleepChild, "web/log/run": "#!/bin/sh\nexec s6-log -l 4096 -p ./main\n"}),
		want: map[send]want{
			quitIn: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "s6-log ignores SIGTERM with -p"}}},
	// A logger whose down-signal is SIGINT, which s6-log does not catch:
	// on SIGQUIT its s6-supervise sends it SIGINT, which kills it, though
	// the service's child holds its input open. Was depends ("does not
	// end s6-log" for any signal but SIGTERM and SIGHUP).
	{name: "s6-svscan, s6-log with down-signal SIGINT and a service's child holding the pipe", program: "s6-svscan", kids: 2, grand: true, great: true, grace: 3 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6SleepChild, "web/log/run": s6LogRun, "web/log/down-signal": "SIGINT\n"}),
		want: map[send]want{
			quitHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGINT (its down-signal file)"}}},
	// A finish script that sleeps: s6-supervise kills it after its
	// timeout-finish (5000 ms without the file), and never with 0.
	{name: "s6-svscan, a finish script, timeout-finish 300", program: "s6-svscan", kids: 1, grand: true, grace: 4 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6Sleep, "web/finish": s6Sleep, "web/timeout-finish": "300\n"}),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "SIGKILLed after 300 ms (its timeout-finish file)"}}},
	{name: "s6-svscan, a finish script, no timeout-finish", program: "s6-svscan", kids: 1, grand: true, grace: 8 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6Sleep, "web/finish": s6Sleep}),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "SIGKILLed after 5000 ms (no timeout-finish file: the default)"}}},
	{name: "s6-svscan, a finish script, timeout-finish 0", program: "s6-svscan", kids: 1, grand: true, grace: 3 * time.Second,
		argv: s6svscan(map[string]string{"web/run": s6Sleep, "web/finish": s6Sleep, "web/timeout-finish": "0\n"}),
		want: map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "without a time limit (timeout-finish 0)"}}},
	// .s6-svscan/finish without an execute bit: the exec fails, there is
	// no .s6-svscan/crash, and s6-svscan dies with 111 (Debian's s6 2.11;
	// 127 since 2.12, which is named, not measured: not packaged here).
	{name: "s6-svscan, .s6-svscan/finish not executable", program: "s6-svscan",
		argv: s6svscanWith(map[string]string{".s6-svscan/finish": "#!/bin/sh\nexit 7\n"}, ".s6-svscan/finish"),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(111), reasonHas: "111 with s6 before 2.12.0.0 (Debian's 2.11 measured), 127 since"},
			intIn:    {verdict: "yes", outcome: "handled", end: exited(111), reasonHas: "not executable (EACCES)"}}},
	// s6-linux-init-maker's .s6-svscan/SIGQUIT: an execline script with a
	// shebang line only (s6-linux-init-maker.c: make_image). s6-svscan
	// runs it, and QUIT does nothing. Was depends ("that script decides").
	{name: "s6-svscan, s6-linux-init's empty .s6-svscan/SIGQUIT", program: "s6-svscan",
		argv: s6svscan(map[string]string{".s6-svscan/SIGQUIT": s6LinuxInitEmpty}),
		want: map[send]want{
			quitHost: {verdict: "no", outcome: "handled", end: alive, reasonHas: "which is empty (s6-linux-init-maker writes it so)"},
			quitIn:   {verdict: "no", outcome: "handled", end: alive, reasonHas: "QUIT does nothing"}}},
	// A root with s6-linux-init's container results directory and the
	// .s6-svscan scripts s6-linux-init-maker -C writes (as s6-overlay's
	// /init has them; not s6-overlay itself, which is not packaged here,
	// nor s6-linux-init: its shutdown is not there to run, so s6-svscan
	// lives on after each). Each is told by its content: TERM halts (the
	// exitcode file), INT reboots, QUIT is empty.
	{name: "s6-svscan with s6-linux-init's container scripts", program: "s6-svscan", mountNS: true,
		argv: privateRoot(map[string]string{
			"run/service/.s6-svscan/SIGTERM":               "#!/bin/execlineb -P\n\n/bin/s6-linux-init-shutdown -h -- now\n",
			"run/service/.s6-svscan/SIGINT":                "#!/bin/execlineb -P\n\n/bin/s6-linux-init-shutdown -r -- now\n",
			"run/service/.s6-svscan/SIGQUIT":               s6LinuxInitEmpty,
			"run/s6-linux-init-container-results/exitcode": "0\n"}, false, "/usr/bin/s6-svscan", "/run/service"),
		want: map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "s6-linux-init-shutdown -h -- now (s6-linux-init's shutdown) (/run/s6-linux-init-container-results is in its root"},
			intHost:  {verdict: "depends", outcome: "handled", end: alive, reasonHas: "ends the init of a PID namespace by SIGHUP when it has CAP_SYS_BOOT"},
			quitHost: {verdict: "no", outcome: "handled", end: alive, reasonHas: "which is empty"}}},
	// s6-overlay's script for S6_CMD_RECEIVE_SIGNALS (skel/CMDSIG) as
	// .s6-svscan/SIGTERM, in a private root whose /run/s6/cmdpid is not
	// there: it runs SIGTERM.s6-linux-init, which is not there either.
	{name: "s6-svscan with s6-overlay's S6_CMD_RECEIVE_SIGNALS script", program: "s6-svscan", mountNS: true,
		argv: privateRoot(map[string]string{
			"run/service/.s6-svscan/SIGTERM":               "#!/bin/sh\n\nif pid=`cat /run/s6/cmdpid 2>/dev/null` ; then\n  kill -s \"${0##*/SIG}\" -- \"$pid\"\nelse\n  exec \"${0}.s6-linux-init\"\nfi\n",
			"run/s6-linux-init-container-results/exitcode": "0\n"}, false, "/usr/bin/s6-svscan", "/run/service"),
		want: map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "s6-overlay's script for S6_CMD_RECEIVE_SIGNALS"}}},
}

func init() { kernelCases = append(kernelCases, s6Cases...) }
