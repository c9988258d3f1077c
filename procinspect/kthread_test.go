package procinspect

import (
	"testing"
)

func TestParseStatFlags(t *testing.T) {
	// /proc/2/stat (kthreadd) on the development machine: flags 2129984 =
	// 0x208040, PF_KTHREAD (0x00200000) set.
	const kthreadd = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 20 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	for _, tt := range []struct {
		in      string
		want    uint64
		wantErr bool
	}{
		{kthreadd, 2129984, false},
		{"42 (a) b (c)) S 1 1 1 0 -1 4194560 100\n", 4194560, false},
		{"42 (cat) R 1 2 3", 0, true},           // too few fields
		{"42 (cat) R 1 2 3 4 -1 -5 0", 0, true}, // negative flags
		{"42 cat R 1 2 3 4 -1 5", 0, true},      // no ')'
	} {
		got, err := ParseStatFlags([]byte(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseStatFlags(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if f := kthreadOf([]byte(kthreadd)); f != KnownFlag(true) {
		t.Errorf("kthreadOf(kthreadd) = %+v, want known true", f)
	}
	if f := kthreadOf([]byte("42 (a) S 1 1 1 0 -1 4194560 100\n")); f != KnownFlag(false) {
		t.Errorf("kthreadOf(4194560) = %+v, want known false", f)
	}
	if f := kthreadOf([]byte("42 (a) S")); f.Known {
		t.Errorf("kthreadOf(malformed) = %+v, want unknown", f)
	}
}

// TestScanKthreadFixture reads testdata/kthread: kthreadd as an older
// kernel shows it (no Kthread line, PF_KTHREAD in stat), a kthread with the
// Kthread line and no stat file, and an init with neither.
func TestScanKthreadFixture(t *testing.T) {
	snap, err := Scanner{Root: "testdata/kthread", SelfNS: "testdata/kthread/1/ns/pid", Deep: []int{2}}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		pid   int
		want  Flag
		start uint64
	}{
		{1, Flag{}, 0},
		{2, KnownFlag(true), 20},
		{3, KnownFlag(true), 0},
	} {
		p := snap.Process(w.pid)
		if p == nil {
			t.Fatalf("PID %d missing", w.pid)
		}
		if p.Kthread != w.want {
			t.Errorf("PID %d: Kthread = %+v, want %+v", w.pid, p.Kthread, w.want)
		}
		if p.StartTime != w.start {
			t.Errorf("PID %d: StartTime = %d, want %d", w.pid, p.StartTime, w.start)
		}
	}
}
