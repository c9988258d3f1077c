package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sigview/sigview/procinspect"
)

const fixture = "../../procinspect/testdata/proc"

// TestCommandLine is the table of the command line: for each input, the
// exit status and the first line of stderr (every usage error is that one
// line plus a pointer to the command's help), or what stdout carries.
func TestCommandLine(t *testing.T) {
	empty := t.TempDir()
	pidMax := strconv.Itoa(procinspect.PIDMax("/proc"))
	type cliCase struct {
		args      []string
		want      int
		stderr    string // the first line of stderr, exactly ("" for none)
		stdoutHas string
	}
	tests := []cliCase{
		{[]string{"--proc", fixture, "--once"}, 0, "", "PIDNS"},
		{[]string{"--proc", fixture}, 0, "", "TERM inside"},
		{[]string{"--once", "--proc=" + fixture}, 0, "", "PIDNS"},
		{[]string{"-once", "-proc", fixture}, 0, "", "PIDNS"},
		{[]string{"--bogus"}, 2, "sigview: unknown flag --bogus", ""},
		{[]string{"explain", "--bogus", "1"}, 2, "sigview: unknown flag --bogus", ""},
		{[]string{"--once", "--json", "--proc", fixture}, 2, "sigview: --once and --json exclude each other", ""},
		{[]string{"--interval", "0", "--proc", fixture}, 2, "sigview: --interval 0: below the minimum of 100ms", ""},
		{[]string{"--interval", "1ms", "--proc", fixture}, 2, "sigview: --interval 1ms: below the minimum of 100ms", ""},
		{[]string{"--interval", "five", "--proc", fixture}, 2, "sigview: --interval five: want a duration such as 3 (seconds), 2s or 500ms", ""},
		{[]string{"--interval", "0.05", "--proc", fixture}, 2, "sigview: --interval 0.05: below the minimum of 100ms", ""},
		{[]string{"--interval", "-2"}, 2, "sigview: --interval -2: must not be negative", ""},
		{[]string{"--interval", "-2s"}, 2, "sigview: --interval -2s: must not be negative", ""},
		{[]string{"--interval"}, 2, "sigview: --interval needs a value: --interval D", ""},
		{[]string{"--once=maybe"}, 2, "sigview: --once maybe: want true or false", ""},
		{[]string{"frobnicate"}, 2, "sigview: unknown command frobnicate", ""},
		{[]string{"--once", "frobnicate"}, 2, "sigview: unknown command frobnicate", ""},
		{[]string{"help", "frobnicate"}, 2, "sigview: unknown command frobnicate", ""},
		{[]string{"explain"}, 2, "sigview: explain takes exactly one target (a PID, a PID namespace's inode, or a container's name or ID prefix), not 0 arguments", ""},
		{[]string{"explain", "1", "2"}, 2, "sigview: explain takes exactly one target (a PID, a PID namespace's inode, or a container's name or ID prefix), not 2 arguments", ""},
		{[]string{"explain", "--proc", fixture, "abc"}, 1, "sigview: explain abc: no container's name is abc, and an ID prefix needs at least 4 hex digits (names come from the engines' files: a container whose engine files are not readable here has no name)", ""},
		{[]string{"explain", "--proc", fixture, "0"}, 1, "sigview: explain 0: 0 is not a PID", ""},
		{[]string{"explain", "--proc", fixture, "4026532201"}, 0, "", "PID 4242 "},
		{[]string{"explain", "--proc", fixture, "4026599999"}, 1, "sigview: explain 4026599999: 4026599999 is above pid_max (4194304), so it names a PID namespace by inode, and no visible PID namespace has that inode (nor does any container's ID start with it)", ""},
		{[]string{"explain", "--from", "inside", "1"}, 2, "sigview: --from does not apply to sigview explain (it is a flag of sigview send)", ""},
		{[]string{"explain", "1", "--once"}, 2, "sigview: --once does not apply to sigview explain (it is a flag of sigview)", ""},
		{[]string{"--once", "explain", "1"}, 2, "sigview: --once does not apply to sigview explain (it is a flag of sigview)", ""},
		{[]string{"kernel", "--proc", fixture}, 2, "sigview: --proc does not apply to sigview kernel (it is a flag of sigview, sigview explain, sigview send, sigview serve, sigview watch)", ""},
		{[]string{"kernel", "now"}, 2, "sigview: sigview kernel takes no arguments, not now", ""},
		{[]string{"send", "--json", "--grace", "1s", "1"}, 2, "sigview: --grace does not apply to sigview send (it is a flag of sigview try)", ""},
		{[]string{"send", "--watch", "0", "1"}, 2, "sigview: --watch 0: below the minimum of 100ms", ""},
		{[]string{"send", "--watch", "1ms", "1"}, 2, "sigview: --watch 1ms: below the minimum of 100ms", ""},
		{[]string{"try", "--docker=", "--", "sleep", "1"}, 2, `sigview: --docker "": want an image`, ""},
		{[]string{"serve", "--web.config.file", "/nonexistent/web.yml"}, 2, "sigview: --web.config.file /nonexistent/web.yml: want a readable file: no such file or directory", ""},
		{[]string{"send", "--watch", "-1s", "1"}, 2, "sigview: --watch -1s: must not be negative", ""},
		{[]string{"send", "--watch", "2x", "1"}, 2, "sigview: --watch 2x: want a duration such as 3 (seconds), 2s or 500ms", ""},
		{[]string{"send", "--from", "moon", "1"}, 2, "sigview: --from moon: want host or inside", ""},
		{[]string{"send", "-s", "NOSUCH", "1"}, 2, `sigview: --signal NOSUCH: unknown signal "NOSUCH"`, ""},
		// Above pid_max: a namespace inode that no namespace has, so nothing
		// is sent. (A free PID is tested in TestActSendErrors, which makes
		// sure it is free: PIDs wrap, and any number below pid_max may be
		// in use by the time the test runs.)
		{[]string{"send", "99999999999"}, 1, "sigview: send 99999999999: 99999999999 is above pid_max (" + pidMax + "), so it names a PID namespace by inode, and no visible PID namespace has that inode (nor does any container's ID start with it)", ""},
		{[]string{"send", "--proc", empty, "1"}, 1, "sigview: --proc " + empty + " is not a procfs: it has no self entry and no PID directory with a stat or status file", ""},
		{[]string{"try"}, 2, "sigview: try needs a command: sigview try [flags] -- CMD [ARGS...]", ""},
		{[]string{"try", "--grace", "-1s", "--", "sleep", "1"}, 2, "sigview: --grace -1s: must not be negative", ""},
		{[]string{"try", "--settle", "-1s", "sleep", "1"}, 2, "sigview: --settle -1s: must not be negative", ""},
		{[]string{"try", "--grace", "ten", "sleep", "1"}, 2, "sigview: --grace ten: want a duration such as 3 (seconds), 2s or 500ms", ""},
		{[]string{"try", "--grace", "-3", "sleep", "1"}, 2, "sigview: --grace -3: must not be negative", ""},
		{[]string{"try", "--settle", "-0.5", "sleep", "1"}, 2, "sigview: --settle -0.5: must not be negative", ""},
		{[]string{"send", "--watch", "0", "1"}, 2, "sigview: --watch 0: below the minimum of 100ms", ""},
		{[]string{"try", "--stop-signal", "NOPE", "sleep", "1"}, 2, `sigview: --stop-signal NOPE: unknown signal "NOPE"`, ""},
		{[]string{"try", "--proc", fixture, "sleep", "1"}, 2, "sigview: --proc does not apply to sigview try (it is a flag of sigview, sigview explain, sigview send, sigview serve, sigview watch)", ""},
		{[]string{"try", "--", "sigview-no-such-command"}, 1, "sigview: try: sigview-no-such-command: command not found", ""},
		{[]string{"serve", "--web.snapshot-cmdline"}, 2, "sigview: --web.snapshot-cmdline needs --web.enable-snapshot", ""},
		{[]string{"serve", "--collector.signals.retention", "10m"}, 2, "sigview: --collector.signals.retention needs --collector.signals", ""},
		{[]string{"serve", "--collector.signals", "--collector.signals.retention", "500ms"}, 2, "sigview: --collector.signals.retention 500ms: below the minimum of 1s", ""},
		{[]string{"serve", "--interval", "10ms"}, 2, "sigview: --interval 10ms: below the minimum of 100ms", ""},
		{[]string{"serve", "--grace", "1s"}, 2, "sigview: --grace does not apply to sigview serve (it is a flag of sigview try)", ""},
		{[]string{"serve", "--proc", empty}, 1, "sigview: --proc " + empty + " is not a procfs: it has no self entry and no PID directory with a stat or status file", ""},
		{[]string{"serve", "now"}, 2, "sigview: sigview serve takes no arguments, not now", ""},
		{[]string{"version", "now"}, 2, "sigview: sigview version takes no arguments, not now", ""},
		{[]string{"--proc", "/nonexistent/proc", "--once"}, 1, "sigview: --proc /nonexistent/proc: no such file or directory", ""},
		{[]string{"--proc", "/nonexistent/proc"}, 1, "sigview: --proc /nonexistent/proc: no such file or directory", ""},
		{[]string{"--proc", empty}, 1, "sigview: --proc " + empty + " is not a procfs: it has no self entry and no PID directory with a stat or status file", ""},
		{[]string{"--proc", "/tmp", "--json"}, 1, "sigview: --proc /tmp is not a procfs: it has no self entry and no PID directory with a stat or status file", ""},
		{[]string{"--proc", "/proc/sys", "--once"}, 1, "sigview: --proc /proc/sys is inside a procfs, not its root (the root is where self and thread-self are, such as /proc)", ""},
		{[]string{"explain", "--proc", "/proc/1", "1"}, 1, "sigview: --proc /proc/1 is inside a procfs, not its root (the root is where self and thread-self are, such as /proc)", ""},
		{[]string{"--proc", "main.go"}, 1, "sigview: --proc main.go: not a directory", ""},
		{[]string{"explain", "--proc", empty, "1"}, 1, "sigview: --proc " + empty + " is not a procfs: it has no self entry and no PID directory with a stat or status file", ""},
		{[]string{"explain", "--proc", fixture, "999999"}, 1, "sigview: explain 999999: no such process in " + fixture, ""},
		{[]string{"--proc", fixture, "explain", "4242"}, 0, "", "the init of PID namespace 4026532201"},
		{[]string{"explain", "4242", "--proc", fixture}, 0, "", "the init of PID namespace 4026532201"},
		{[]string{"explain", "4242", "--json", "--proc", fixture}, 0, "", `"tasks": [`},
		{[]string{"version"}, 0, "", "sigview github.com/sigview/sigview "},
		{[]string{"--version"}, 0, "", "sigview github.com/sigview/sigview "},
		{[]string{"help"}, 0, "", "usage: sigview [flags]"},
		{[]string{"-h"}, 0, "", "usage: sigview [flags]"},
	}
	for _, name := range []string{"explain", "send", "try", "kernel", "serve", "help", "version"} {
		want := "usage: sigview " + name
		tests = append(tests, cliCase{[]string{name, "-h"}, 0, "", want}, cliCase{[]string{name, "--help"}, 0, "", want},
			cliCase{[]string{"help", name}, 0, "", want})
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		got := run(tt.args, &out, &errb)
		if got != tt.want {
			t.Errorf("run(%q) = %d; want %d (stderr %q)", tt.args, got, tt.want, errb.String())
		}
		first, rest, _ := strings.Cut(errb.String(), "\n")
		if first != tt.stderr {
			t.Errorf("run(%q) stderr starts %q; want %q", tt.args, first, tt.stderr)
		}
		if tt.want == 2 && !regexp.MustCompile(`^run 'sigview( [a-z]+)? --help' for usage\n$`).MatchString(rest) {
			t.Errorf("run(%q) stderr after the first line = %q; want only the pointer to the help", tt.args, rest)
		}
		if !strings.Contains(out.String(), tt.stdoutHas) {
			t.Errorf("run(%q) stdout = %q; want it to contain %q", tt.args, out.String(), tt.stdoutHas)
		}
	}
}

// TestHelpTexts checks every command's help: on stdout, flags spelled
// --flag, each flag it accepts listed, and every line within 80 columns.
func TestHelpTexts(t *testing.T) {
	for _, c := range commands {
		args := []string{c.name, "--help"}
		if c == rootCommand {
			args = []string{"--help"}
		}
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 || errb.Len() != 0 {
			t.Errorf("run(%q) = %d, stderr %q; want 0 and nothing", args, code, errb.String())
		}
		text := out.String()
		for _, cf := range c.flags {
			if !strings.Contains(text, "--"+cf.name) {
				t.Errorf("help of %s does not list --%s:\n%s", c.title(), cf.name, text)
			}
		}
		for i, line := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("help of %s, line %d is %d columns: %q", c.title(), i+1, n, line)
			}
			if regexp.MustCompile(`(^|\s)-[a-z]{2,}`).MatchString(line) {
				t.Errorf("help of %s spells a flag with one dash: %q", c.title(), line)
			}
		}
	}
}

// TestOutputIsTerminalSafe checks that no process-controlled byte reaches
// the terminal raw: the fixture has names with ESC sequences and invalid
// UTF-8.
func TestOutputIsTerminalSafe(t *testing.T) {
	for _, args := range [][]string{
		{"--proc", fixture, "--once"},
		{"--proc", fixture, "explain", "8000"},
		{"--proc", fixture, "explain", "8001"},
		{"--proc", fixture, "--json"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("run(%q) = %d: %s", args, code, errb.String())
		}
		for i, r := range out.String() {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || r == 0xfffd {
				t.Errorf("run(%q): raw control or invalid character %q at byte %d", args, r, i)
				break
			}
		}
	}
}

// TestJSONDocument checks the document decodes and carries the four core
// predictions for every visible init.
func TestJSONDocument(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--proc", fixture, "--json"}, &out, &errb); code != 0 {
		t.Fatalf("run --json = %d: %s", code, errb.String())
	}
	var doc struct {
		SchemaVersion int `json:"schema_version"`
		Namespaces    []struct {
			Init *struct {
				Predictions []struct{ Signal, From, Verdict, Outcome, Reason string }
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("--json output does not decode: %v", err)
	}
	if doc.SchemaVersion != 2 {
		t.Errorf("schema_version = %d; want 2", doc.SchemaVersion)
	}
	inits := 0
	for _, ns := range doc.Namespaces {
		if ns.Init == nil {
			continue
		}
		inits++
		seen := map[string]bool{}
		for _, p := range ns.Init.Predictions {
			seen[p.Signal+"/"+p.From] = true
			if p.Reason == "" || p.Verdict == "" || p.Outcome == "" {
				t.Errorf("prediction %+v has an empty field", p)
			}
		}
		for _, k := range []string{"SIGTERM/inside", "SIGTERM/host", "SIGKILL/inside", "SIGKILL/host"} {
			if !seen[k] {
				t.Errorf("an init lacks the %s prediction", k)
			}
		}
	}
	if inits < 3 {
		t.Errorf("%d inits in the fixture document; want at least 3", inits)
	}
}

// TestBareNumberIsSeconds checks that each duration flag reads a bare
// number as seconds, as docker stop -t 3 does: --grace 3 is --grace 3s.
func TestBareNumberIsSeconds(t *testing.T) {
	for _, tt := range []struct {
		cmd, flag, bare, unit string
		get                   func(options) time.Duration
	}{
		{"try", "grace", "3", "3s", func(o options) time.Duration { return o.grace }},
		{"try", "grace", "0", "0s", func(o options) time.Duration { return o.grace }},
		{"try", "settle", "0.5", "500ms", func(o options) time.Duration { return o.settle }},
		{"send", "watch", "4", "4s", func(o options) time.Duration { return o.watch }},
		{"", "interval", "1.5", "1500ms", func(o options) time.Duration { return o.interval }},
		{"serve", "interval", "7", "7s", func(o options) time.Duration { return o.interval }},
	} {
		parsed := func(v string) options {
			t.Helper()
			args := []string{"--" + tt.flag, v}
			if tt.cmd != "" {
				args = append([]string{tt.cmd}, args...)
			}
			c, rest := split(args)
			o := defaultOptions()
			if _, err := c.parse(&o, rest); err != nil {
				t.Fatalf("%q: %v", args, err)
			}
			return o
		}
		bare, unit := tt.get(parsed(tt.bare)), tt.get(parsed(tt.unit))
		if bare != unit || bare == tt.get(defaultOptions()) && tt.bare != "0" {
			t.Errorf("%s --%s %s = %s; --%s %s = %s (default %s)", tt.cmd, tt.flag, tt.bare, bare, tt.flag, tt.unit, unit, tt.get(defaultOptions()))
		}
	}
}

// TestWatchTargetsContainer: watch's TARGET takes a container's name or ID
// prefix, as explain does, and follows its namespace by inode; a name no
// container has is an error.
func TestWatchTargetsContainer(t *testing.T) {
	o := defaultOptions()
	o.proc = fixture
	scan := func() (*procinspect.Snapshot, error) {
		return procinspect.Scanner{Root: fixture, SelfNS: fixture + "/1/ns/pid"}.Scan()
	}
	for _, target := range []string{"web1", "3f4e5a6b"} {
		got, err := watchTargets(watchCommand, o, []string{target}, scan)
		if err != nil || len(got.PIDNS) != 1 || got.PIDNS[0] != 4026532201 {
			t.Errorf("watch %s: %+v, %v; want PID namespace 4026532201", target, got, err)
		}
	}
	if _, err := watchTargets(watchCommand, o, []string{"no-such-container"}, scan); err == nil || !strings.Contains(err.Error(), "no container's name is no-such-container") {
		t.Errorf("watch no-such-container: %v", err)
	}
}
