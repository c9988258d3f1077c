package procinspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if pg := Identify(java); pg != ProgJava {
		t.Errorf("Identify(java) = %q, want %q", pg, ProgJava)
	}
	launcher := jvmProc(nsInitProc, "myapp", jvmCgt, 0, "/opt/myapp/bin/myapp")
	if pg := Identify(launcher); pg != ProgUnknown {
		t.Errorf("Identify(myapp without libjvm known) = %q, want unknown", pg)
	}
	launcher.Deep.JVM = KnownFlag(true)
	if pg := Identify(launcher); pg != ProgJava {
		t.Errorf("Identify(myapp with libjvm) = %q, want %q", pg, ProgJava)
	}
}

func TestReadJVM(t *testing.T) {
	dir := t.TempDir()
	write := func(maps string) {
		if err := os.WriteFile(filepath.Join(dir, "maps"), []byte(maps), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("7f0000000000-7f0000100000 r-xp 00000000 08:01 1234 /usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so\n")
	if got := readJVM(dir); got != KnownFlag(true) {
		t.Errorf("readJVM(libjvm mapped) = %+v, want known true", got)
	}
	write("7f0000000000-7f0000100000 r-xp 00000000 08:01 1234 /usr/lib/libjvm.so.bak\n")
	if got := readJVM(dir); got != KnownFlag(false) {
		t.Errorf("readJVM(no libjvm) = %+v, want known false", got)
	}
	if got := readJVM(filepath.Join(dir, "missing")); got.Known {
		t.Errorf("readJVM(unreadable) = %+v, want unknown", got)
	}
}

func TestJavaStopAndHint(t *testing.T) {
	jvm := jvmProc(nsInitProc, "java", jvmCgt, 0, "java", "-cp", "/app", "Main")
	if pr := Predict(jvm, SIGTERM, Host); pr.Exit != KnownInt(143) {
		t.Errorf("JVM SIGTERM exit = %+v, want 143", pr.Exit)
	}
	stops := StopsFor(jvm)
	if len(stops) != 2 {
		t.Fatalf("StopsFor(JVM init) = %d stops, want 2", len(stops))
	}
	for _, st := range stops {
		if st.Verdict != Yes || st.Exit != KnownInt(143) || strings.Contains(st.Summary, "at once") {
			t.Errorf("%s: %+v; want yes, exit 143, and not \"at once\" (the shutdown hooks run first)", st.By, st)
		}
	}
	if h := FixHint(jvm); h != "" {
		t.Errorf("FixHint(JVM init) = %q, want none: SIGTERM ends it", h)
	}
	rs := jvmProc(nsInitProc, "java", jvmRsCgt, 0, "java", "-Xrs", "Main")
	if h := FixHint(rs); !strings.Contains(h, "-Xrs") || !strings.Contains(h, "143") {
		t.Errorf("FixHint(JVM init with -Xrs) = %q; want it to name -Xrs and what dropping it gives (143)", h)
	}
}
