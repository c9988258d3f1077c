package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestJSONToAFullDisk: sigview --json > /dev/full exits 1 with the write's
// error on stderr (a truncated document comes with a non-zero exit, as
// docs/json.md says), for the fixture's document and the live /proc's.
func TestJSONToAFullDisk(t *testing.T) {
	for _, args := range [][]string{{"--proc", fixture, "--json"}, {"--json", "--no-probe"}} {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		var errb bytes.Buffer
		code := run(args, full, &errb)
		full.Close()
		if code != 1 {
			t.Errorf("%v > /dev/full: exit %d; want 1 (stderr %q)", args, code, errb.String())
		}
		if msg := errb.String(); !strings.HasPrefix(msg, "sigview: write /dev/full: no space left on device\n") {
			t.Errorf("%v > /dev/full: stderr %q; want the write's error", args, msg)
		}
	}
}
