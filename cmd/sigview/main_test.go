package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

const fixture = "../../procinspect/testdata/proc"

// TestRunExitStatus checks the exit statuses and error format the README
// documents.
func TestRunExitStatus(t *testing.T) {
	tests := []struct {
		args      []string
		want      int
		stderrHas string
		stdoutHas string
	}{
		{[]string{"--proc", fixture, "--once"}, 0, "", "PIDNS"},
		{[]string{"--proc", fixture}, 0, "", "TERM inside"},
		{[]string{"--bogus"}, 2, "sigview: flag provided but not defined", ""},
		{[]string{"--once", "--json", "--proc", fixture}, 2, "exclude each other", ""},
		{[]string{"--interval", "0", "--proc", fixture}, 2, "--interval must be positive", ""},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`, ""},
		{[]string{"explain"}, 2, "explain takes exactly one PID", ""},
		{[]string{"explain", "abc"}, 2, `"abc" is not a PID`, ""},
		{[]string{"explain", "--proc", fixture, "999999"}, 1, "sigview: explain 999999: no such process", ""},
		{[]string{"--proc", "/nonexistent/proc", "--once"}, 1, "sigview: ", ""},
		{[]string{"--proc", fixture, "explain", "4242"}, 0, "", "the init of PID namespace 4026532201"},
		{[]string{"--help"}, 0, "usage: sigview", ""},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		got := run(tt.args, &out, &errb)
		if got != tt.want {
			t.Errorf("run(%q) = %d; want %d (stderr %q)", tt.args, got, tt.want, errb.String())
		}
		if !strings.Contains(errb.String(), tt.stderrHas) {
			t.Errorf("run(%q) stderr = %q; want it to contain %q", tt.args, errb.String(), tt.stderrHas)
		}
		if !strings.Contains(out.String(), tt.stdoutHas) {
			t.Errorf("run(%q) stdout = %q; want it to contain %q", tt.args, out.String(), tt.stdoutHas)
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
	if doc.SchemaVersion != 1 {
		t.Errorf("schema_version = %d; want 1", doc.SchemaVersion)
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
