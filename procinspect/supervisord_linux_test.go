package procinspect_test

// supervisord really run as PID 1 in a root of its own
// (privateroot_linux_test.go), with Debian's layout: no -c, so it finds
// /etc/supervisor/supervisord.conf on its default search path, which
// includes /etc/supervisor/conf.d/*.conf.

import "time"

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

var supervisordCases = []kernelCase{
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
