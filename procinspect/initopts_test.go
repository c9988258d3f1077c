package procinspect

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestParseInitOptions reads forwarders' options as their getopt does.
func TestParseInitOptions(t *testing.T) {
	// setsid adds dumb-init's setsid-mode rewrites of the terminal's stop
	// signals to SIGSTOP, where m has none.
	setsid := func(m map[Signal]Rewrite) map[Signal]Rewrite {
		out := map[Signal]Rewrite{}
		for _, s := range []Signal{SIGTSTP, SIGTTIN, SIGTTOU} {
			out[s] = Rewrite{SIGSTOP, "setsid mode: SIGTSTP, SIGTTIN and SIGTTOU become SIGSTOP"}
		}
		for s, r := range m {
			out[s] = r
		}
		return out
	}
	type want struct {
		rewrite     map[Signal]Rewrite
		group       bool
		groupBy     string
		exitToZero  []int
		pause, reap bool
		pdeath      string
	}
	for _, c := range []struct {
		pg   Program
		argv []string
		env  map[string]string
		want want
	}{
		{ProgDumbInit, []string{"dumb-init", "sleep", "1"}, nil, want{rewrite: setsid(nil), group: true, groupBy: "dumb-init's default setsid mode"}},
		{ProgDumbInit, []string{"dumb-init", "--rewrite", "15:0", "sleep"}, nil,
			want{rewrite: setsid(map[Signal]Rewrite{15: {0, "--rewrite 15:0"}}), group: true, groupBy: "dumb-init's default setsid mode"}},
		{ProgDumbInit, []string{"dumb-init", "--rew=15:2", "-r3:0", "-c", "x"}, nil,
			want{rewrite: map[Signal]Rewrite{15: {2, "--rewrite 15:2"}, 3: {0, "-r 3:0"}}, groupBy: "-c"}},
		{ProgDumbInit, []string{"dumb-init", "-vc", "-r", "1:15", "x"}, nil,
			want{rewrite: map[Signal]Rewrite{1: {15, "-r 1:15"}}, groupBy: "-c"}},
		// dumb-init stops at the first non-option: these are the child's.
		{ProgDumbInit, []string{"dumb-init", "sh", "-c", "-r", "15:0"}, nil, want{rewrite: setsid(nil), group: true, groupBy: "dumb-init's default setsid mode"}},
		// Out of range: dumb-init would have refused to start.
		{ProgDumbInit, []string{"dumb-init", "-r", "40:0", "-r", "15:99", "x"}, nil, want{rewrite: setsid(nil), group: true, groupBy: "dumb-init's default setsid mode"}},
		{ProgDumbInit, []string{"dumb-init", "x"}, map[string]string{"DUMB_INIT_SETSID": "0"}, want{groupBy: "DUMB_INIT_SETSID=0"}},
		{ProgDumbInit, []string{"dumb-init", "x"}, map[string]string{"DUMB_INIT_SETSID": "1"}, want{rewrite: setsid(nil), group: true, groupBy: "dumb-init's default setsid mode"}},
		// A --rewrite of a stop signal wins over setsid mode's SIGSTOP.
		{ProgDumbInit, []string{"dumb-init", "-r", "20:15", "--rewrite=21:0", "x"}, nil,
			want{rewrite: setsid(map[Signal]Rewrite{20: {15, "-r 20:15"}, 21: {0, "--rewrite 21:0"}}), group: true, groupBy: "dumb-init's default setsid mode"}},
		{ProgTini, []string{"tini", "-g", "-e", "143", "-e143", "-p", "SIGKILL", "-s", "--", "java", "-e", "2"}, nil,
			want{group: true, groupBy: "-g", exitToZero: []int{143}, pdeath: "SIGKILL", reap: true}},
		// GNU getopt permutes: an option after the program counts before "--".
		{ProgTini, []string{"tini", "sleep", "-g"}, nil, want{group: true, groupBy: "-g"}},
		{ProgTini, []string{"tini", "sleep", "-g"}, map[string]string{"POSIXLY_CORRECT": ""}, want{}},
		{ProgTini, []string{"tini", "--", "x"}, map[string]string{"TINI_KILL_PROCESS_GROUP": "", "TINI_SUBREAPER": "1"},
			want{group: true, groupBy: "TINI_KILL_PROCESS_GROUP", reap: true}},
		{ProgTini, []string{"tini", "-e", "300", "-e", "x", "--", "y"}, nil, want{}},
		{ProgCatatonit, []string{"catatonit", "-P"}, nil, want{pause: true}},
		{ProgCatatonit, []string{"catatonit", "-g", "--", "sh", "-P"}, nil, want{group: true, groupBy: "-g"}},
	} {
		o := ParseInitOptions(c.pg, c.argv, c.env)
		got := want{rewrite: o.Rewrite, group: o.Group, groupBy: o.GroupBy, exitToZero: o.ExitToZero, pause: o.Pause, reap: o.Subreaper, pdeath: o.ParentDeath}
		if len(got.rewrite) != len(c.want.rewrite) || got.group != c.want.group || got.groupBy != c.want.groupBy ||
			!slices.Equal(got.exitToZero, c.want.exitToZero) || got.pause != c.want.pause || got.reap != c.want.reap || got.pdeath != c.want.pdeath {
			t.Errorf("%s %q env %v: %+v, want %+v", c.pg, c.argv, c.env, got, c.want)
			continue
		}
		for s, r := range c.want.rewrite {
			if got.rewrite[s] != r {
				t.Errorf("%s %q: rewrite of %d = %+v, want %+v", c.pg, c.argv, s, got.rewrite[s], r)
			}
		}
	}
}

// TestParseEnviron keeps only the variables asked for: an environment may
// hold secrets.
func TestParseEnviron(t *testing.T) {
	env := parseEnviron([]byte("PASSWORD=x\x00DUMB_INIT_SETSID=0\x00DUMB_INIT_SETSID=1\x00junk\x00"), initEnv[ProgDumbInit])
	if len(env) != 1 || env["DUMB_INIT_SETSID"] != "0" {
		t.Errorf("parseEnviron = %v, want only the first DUMB_INIT_SETSID", env)
	}
}

// TestReadUpTo: a file read whole into a buffer grown as needed, up to the
// bound and no further.
func TestReadUpTo(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4095, 4096, 4097, 10000, maxEnviron, maxEnviron + 1, maxEnviron + 5000} {
		want := bytes.Repeat([]byte("k=v\x00"), size/4+1)[:size]
		path := filepath.Join(dir, strconv.Itoa(size))
		if err := os.WriteFile(path, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readUpTo(path, make([]byte, size%3*100), maxEnviron+1, false)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if n := min(size, maxEnviron+1); !bytes.Equal(got, want[:n]) {
			t.Errorf("size %d: read %d bytes, want the first %d", size, len(got), n)
		}
	}
	if _, err := readUpTo(filepath.Join(dir, "none"), nil, 10, false); err == nil {
		t.Errorf("a missing file read without error")
	}
}
