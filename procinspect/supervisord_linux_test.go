package procinspect_test

// supervisord really run as PID 1 in a root of its own
// (privateroot_linux_test.go), with Debian's layout: no -c, so it finds
// /etc/supervisor/supervisord.conf on its default search path, which
// includes /etc/supervisor/conf.d/*.conf.

import (
	"os"
	"path/filepath"
	"time"
)

// supervisordRoot runs /usr/bin/supervisord without -c in a private root
// whose /etc/supervisor/supervisord.conf includes conf.d/*.conf, holding
// the given files (name below conf.d -> text).
func supervisordRoot(confd map[string]string) func(b binaries) []string {
	files := map[string]string{"etc/supervisor/supervisord.conf": "[supervisord]\nnodaemon=true\nlogfile=/dev/null\nlogfile_maxbytes=0\n" +
		"pidfile=/run/supervisord.pid\nchildlogdir=/tmp\n[include]\nfiles = /etc/supervisor/conf.d/*.conf\n"}
	for name, text := range confd {
		files["etc/supervisor/conf.d/"+name] = text
	}
	return privateRoot(files, true, "/usr/bin/supervisord")
}

// supervisordSections runs supervisord in the foreground as PID 1 with
// the given sections after its own, and no control socket.
func supervisordSections(sections string) func(b binaries) []string {
	return func(b binaries) []string {
		d := tempDir(b, "supervisord-")
		conf := filepath.Join(d, "supervisord.conf")
		text := "[supervisord]\nnodaemon=true\nlogfile=/dev/null\nlogfile_maxbytes=0\npidfile=" + filepath.Join(d, "pid") +
			"\nchildlogdir=" + d + "\n" + sections
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			panic(err)
		}
		return []string{"/bin/sh", "-c", "echo ready; exec supervisord -n -c " + conf}
	}
}

// A shell whose TERM trap waits for its foreground command.
const trapShell = "command=sh -c \"trap 'exit 3' TERM; sleep 1000; true\"\nstopwaitsecs=30\nstartsecs=0\n"

var supervisordCases = []kernelCase{
	// stopasgroup: the stop signal goes to the program's process group,
	// so the sleep the trap waits for dies of it too and the trap runs at
	// once (it exits 3); supervisord exits 0. Without it the shell waits
	// for its sleep, and supervisord for stopwaitsecs (30 s).
	{name: "supervisord, stopasgroup, a shell with a trap", program: "supervisord", kids: 1, grand: true, grace: 6 * time.Second,
		argv: supervisordSections("[program:sh]\n" + trapShell + "stopasgroup=true\n"),
		want: map[send]want{
			termIn:   {verdict: "depends", outcome: "handled", end: exited(0), reasonHas: "the process group of sh (PID"},
			termHost: {verdict: "depends", outcome: "handled", end: exited(0), reasonHas: "stopasgroup (so killasgroup too)"}}},
	{name: "supervisord, a shell with a trap, no stopasgroup", program: "supervisord", kids: 1, grand: true, grace: 3 * time.Second,
		argv: supervisordSections("[program:sh]\n" + trapShell),
		want: map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "waits 30 s and SIGKILLs it,"}}},
	// Programs of [group:sleep]: %(group_name)s is the group's name, so
	// each child is matched to its own section (b's stopsignal is INT).
	{name: "supervisord, %(group_name)s under [group:sleep]", program: "supervisord", kids: 2, grace: 6 * time.Second,
		argv: supervisordSections("[group:sleep]\nprograms=a,b\n[program:a]\ncommand=%(group_name)s 1000\nstartsecs=0\n" +
			"[program:b]\ncommand=%(group_name)s 2000\nstopsignal=INT\nstartsecs=0\n"),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGINT ([program:b]"}}},
	// An event listener is stopped as a program is: this one (a shell that
	// keeps its command line) ignores SIGTERM and its stopsignal is KILL. (Taken for the only [program],
	// it would get SIGTERM and the answer would be "depends".)
	{name: "supervisord, an [eventlistener] ignoring SIGTERM, stopsignal KILL", program: "supervisord", kids: 2, grace: 6 * time.Second,
		argv: supervisordSections("[program:p]\ncommand=sleep 1000\nstartsecs=0\n[eventlistener:ev]\n" +
			"command=sh -c \"trap '' TERM; sleep 1000; true\"\nevents=PROCESS_STATE\nstopsignal=KILL\nstartsecs=0\n"),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGKILL ([eventlistener:ev]"},
			intIn:    {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "[eventlistener:ev]"}}},
	// So is a FastCGI program, whose socket supervisord makes (in the
	// configuration's directory: %(here)s).
	{name: "supervisord, an [fcgi-program] ignoring SIGTERM, stopsignal KILL", program: "supervisord", kids: 2, grace: 6 * time.Second,
		argv: supervisordSections("[program:p]\ncommand=sleep 1000\nstartsecs=0\n[fcgi-program:fc]\nsocket=unix://%(here)s/fc.sock\n" +
			"command=sh -c \"trap '' TERM; sleep 1000; true\"\nstopsignal=KILL\nstartsecs=0\n"),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGKILL ([fcgi-program:fc]"}}},
	// A program's shell leaves a sleep that ignores SIGTERM to supervisord,
	// PID 1, which adopts it: it is in the program's process group, not
	// one of its own, so it is no process supervisord started, and it
	// never signals it. supervisord stops the program (its only section,
	// assumed: the shell exec'd another command) and exits 0. Was: the
	// adopted sleep was taken for the only section's and predicted to get
	// SIGTERM, which it ignores: depends.
	{name: "supervisord, an adopted orphan ignoring SIGTERM", program: "supervisord", kids: 2, grace: 6 * time.Second,
		argv: supervisordSections("[program:p]\ncommand=sh -c \"(env --ignore-signal=TERM sleep 1000 &); exec sleep 999\"\nstartsecs=0\nautorestart=false\n"),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "a process it adopted as PID 1, which it never signals"},
			intIn:    {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "assumed its only section"}}},
	// The program ignores SIGTERM; its stopsignal, INT, is in an included
	// file: supervisord stops it at once and exits 0. (Without the
	// include, TERM would be assumed and the answer would be "depends".)
	{name: "supervisord on its default path, stopsignal from an included file", program: "supervisord", kids: 1, grace: 6 * time.Second, mountNS: true,
		argv: supervisordRoot(map[string]string{"sleeper.conf": "[program:sleeper]\ncommand=env --ignore-signal=TERM sleep 1000\nstopsignal=INT\nstopwaitsecs=30\nstartsecs=0\n"}),
		want: map[send]want{
			termIn:   {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "[program:sleeper] in /etc/supervisor/conf.d/sleeper.conf (included by /etc/supervisor/supervisord.conf, the first of supervisord's default paths that exists): stopsignal SIGINT"},
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "stopsignal SIGINT, stopwaitsecs 30"},
			intHost:  {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "stopsignal SIGINT"}}},
	// Two sections in two included files, one with numprocs 2: each child
	// is matched to its section by its command, expanded for its
	// process_num.
	{name: "supervisord, numprocs in an included file", program: "supervisord", kids: 3, grace: 6 * time.Second, mountNS: true,
		argv: supervisordRoot(map[string]string{
			"a.conf": "[program:workers]\ncommand=sleep 100%(process_num)d\nprocess_name=%(program_name)s_%(process_num)d\nnumprocs=2\nstopsignal=INT\nstartsecs=0\n",
			"b.conf": "[program:other]\ncommand=sleep 2000\nstopsignal=HUP\nstartsecs=0\n"}),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGINT ([program:workers] (numprocs 2) in /etc/supervisor/conf.d/a.conf"}}},
}

func init() { kernelCases = append(kernelCases, supervisordCases...) }
