package predict

import (
	"strings"
	"testing"

	"github.com/sigview/sigview/procinspect"
)

func TestJavaRsFlag(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"java", "-Xrs", "-cp", "/app", "Main"}, "-Xrs"},
		{[]string{"java", "-XX:+ReduceSignalUsage", "-jar", "app.jar"}, "-XX:+ReduceSignalUsage"},
		{[]string{"java", "-Xrs", "-XX:-ReduceSignalUsage", "Main"}, ""},
		{[]string{"java", "-cp", "-Xrs", "Main"}, ""},        // a class path named -Xrs
		{[]string{"java", "Main", "-Xrs"}, ""},               // the application's argument
		{[]string{"java", "-jar", "app.jar", "-Xrs"}, ""},    // likewise
		{[]string{"java", "-m", "mod/app.Main", "-Xrs"}, ""}, // likewise
		{[]string{"java", "-Xmx1g", "-Dx=-Xrs", "Main"}, ""}, // a property's value
		{nil, ""},
	} {
		if got := javaRsFlag(c.argv); got != c.want {
			t.Errorf("javaRsFlag(%q) = %q, want %q", c.argv, got, c.want)
		}
	}
}

func TestIdentifyJava(t *testing.T) {
	java := jvmProc(nsInitProc, "java", jvmCgt, 0, "java", "Main")
	if pg := procinspect.Identify(java); pg != procinspect.ProgJava {
		t.Errorf("Identify(java) = %q, want %q", pg, procinspect.ProgJava)
	}
	launcher := jvmProc(nsInitProc, "myapp", jvmCgt, 0, "/opt/myapp/bin/myapp")
	if pg := procinspect.Identify(launcher); pg != procinspect.ProgUnknown {
		t.Errorf("Identify(myapp without libjvm known) = %q, want unknown", pg)
	}
	launcher.Deep.JVM = procinspect.KnownFlag(true)
	if pg := procinspect.Identify(launcher); pg != procinspect.ProgJava {
		t.Errorf("Identify(myapp with libjvm) = %q, want %q", pg, procinspect.ProgJava)
	}
}

func TestJavaStopAndHint(t *testing.T) {
	jvm := jvmProc(nsInitProc, "java", jvmCgt, 0, "java", "-cp", "/app", "Main")
	if pr := Predict(jvm, procinspect.SIGTERM, Host, nil); pr.Exit != procinspect.KnownInt(143) {
		t.Errorf("JVM SIGTERM exit = %+v, want 143", pr.Exit)
	}
	stops := StopsFor(jvm, nil)
	if len(stops) != 2 {
		t.Fatalf("StopsFor(JVM init, nil) = %d stops, want 2", len(stops))
	}
	for _, st := range stops {
		if st.Verdict != Yes || st.Exit != procinspect.KnownInt(143) || strings.Contains(st.Summary, "at once") {
			t.Errorf("%s: %+v; want yes, exit 143, and not \"at once\" (the shutdown hooks run first)", st.By, st)
		}
	}
	if h := FixHint(jvm, nil); h != "" {
		t.Errorf("FixHint(JVM init, nil) = %q, want none: SIGTERM ends it", h)
	}
	rs := jvmProc(nsInitProc, "java", jvmRsCgt, 0, "java", "-Xrs", "Main")
	if h := FixHint(rs, nil); !strings.Contains(h, "-Xrs") || !strings.Contains(h, "143") {
		t.Errorf("FixHint(JVM init with -Xrs, nil) = %q; want it to name -Xrs and what dropping it gives (143)", h)
	}
}

// shellWith is a shell init (SigCgt INT, CHLD and the given extra
// handlers, waiting in wait4) whose foreground child has the given masks.
func shellWith(cgt procinspect.SigSet, childName string, childCgt, childIgn procinspect.SigSet) *procinspect.Process {
	sh := nsInitProc("bash", 0x10002|cgt, 0x4, sleepingThread("do_wait", 61, 0x10000))
	child := predictProc(childName, []int{predictPID + 1, 2}, childCgt, childIgn, sleepingThread("hrtimer_nanosleep", 230, 0))
	sh.Children = []*procinspect.Process{withoutDeep(child)}
	return sh
}

func TestFixHintCheckedAgainstMasks(t *testing.T) {
	python := func(cgt, ign procinspect.SigSet) *procinspect.Process {
		return nsInitProc("python3", cgt, ign, sleepingThread("hrtimer_nanosleep", 230, 0))
	}
	noChild := nsInitProc("sh", 0x10002, 0, sleepingThread("do_wait", 61, 0))
	for _, c := range []struct {
		name      string
		p         *procinspect.Process
		has, lack []string
	}{
		// A TERM trap waiting for a foreground sleep: exec'd, sleep would
		// be PID 1 with SIG_DFL, and SIGTERM would be dropped.
		{"trap, foreground child without handler", shellWith(sigTERMBit, "sleep", 0, 0),
			[]string{"cmd & wait $!", "sleep (PID 2 inside) has no SIGTERM handler"}, []string{"exec"}},
		{"trap, foreground child with handler", shellWith(sigTERMBit, "server", sigTERMBit, 0),
			[]string{"cmd & wait $!", "`exec` the command"}, nil},
		{"trap, foreground Node.js", shellWith(sigTERMBit, "node", sigTERMBit, 0),
			[]string{"node (PID 2 inside) is Node.js"}, []string{"exec"}},
		{"trap, child masks unknown", func() *procinspect.Process {
			p := shellWith(sigTERMBit, "sleep", 0, 0)
			p.Children[0].Status.SigCgt = procinspect.Mask{}
			return p
		}(), []string{"if the command handles SIGTERM"}, nil},
		{"no trap, child without handler", shellWith(0, "sleep", 0, 0),
			[]string{"--init (tini)", "trap"}, []string{"exec"}},
		{"no trap, child with handler", shellWith(0, "server", sigTERMBit, 0),
			[]string{"`exec` the program"}, nil},
		{"no trap, no child seen", noChild, []string{"--init (tini)", "if the program handles SIGTERM"}, nil},
		{"python, SIGINT caught", python(0x2, 0x1001000), []string{"STOPSIGNAL SIGINT (Python exits"}, nil},
		{"python, SIGINT ignored", python(0, 0x1001002), []string{"STOPSIGNAL SIGINT would not help", "ignored"}, []string{"set STOPSIGNAL"}},
		{"python, SIGINT default", python(0, 0x1001000), []string{"STOPSIGNAL SIGINT would not help"}, []string{"set STOPSIGNAL"}},
	} {
		h := FixHint(c.p, nil)
		for _, s := range c.has {
			if !strings.Contains(h, s) {
				t.Errorf("%s: hint %q lacks %q", c.name, h, s)
			}
		}
		for _, s := range c.lack {
			if strings.Contains(h, s) {
				t.Errorf("%s: hint %q has %q", c.name, h, s)
			}
		}
	}
}

// TestBusyboxInit: busybox's init applet reads its signals in sigtimedwait
// and acts on them (init/init.c); sleep from the same binary is no program
// sigview knows.
func TestBusyboxInit(t *testing.T) {
	set := procinspect.SigSet(0)
	for _, s := range []procinspect.Signal{1, 2, 3, 10, 12, 15, 17, 30} {
		set = set.With(s)
	}
	init := nsInitProc("init", 0, 0, sigwaitThread(set))
	init.Deep.Exe, init.Cmdline = "/bin/busybox", []string{"/sbin/init"}
	for sig, want := range map[procinspect.Signal]Verdict{procinspect.SIGTERM: Depends, procinspect.SIGHUP: No, procinspect.SIGINT: Depends, procinspect.SIGQUIT: Depends} {
		pr := Predict(init, sig, Host, nil)
		if pr.Verdict != want || pr.Outcome != Handled || !strings.Contains(pr.Reason, "busybox init") {
			t.Errorf("busybox init, %s: %s/%s (%s); want %s/handled naming busybox init", sig, pr.Verdict, pr.Outcome, pr.Reason, want)
		}
	}
	sleep := nsInitProc("sleep", 0, 0, sleepingThread("hrtimer_nanosleep", 230, 0))
	sleep.Deep.Exe, sleep.Cmdline = "/bin/busybox", []string{"sleep", "1000"}
	if pr := Predict(sleep, procinspect.SIGTERM, Host, nil); pr.Outcome != Dropped {
		t.Errorf("busybox sleep: %s/%s (%s); want dropped", pr.Verdict, pr.Outcome, pr.Reason)
	}
	if h := FixHint(sleep, nil); strings.Contains(h, "exec") || h == "" {
		t.Errorf("busybox sleep hint %q: want one, without exec", h)
	}
}
