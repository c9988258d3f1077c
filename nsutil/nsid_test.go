package nsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestParseLink(t *testing.T) {
	tests := []struct {
		in      string
		want    NSID
		wantErr bool
	}{
		{"pid:[4026531836]", NSID{Ino: 4026531836}, false},
		{"pid:[4026532201]", NSID{Ino: 4026532201}, false},
		{"pid:[1]", NSID{Ino: 1}, false},
		{"pid:[18446744073709551615]", NSID{Ino: 18446744073709551615}, false},
		{"pid:[0]", NSID{}, true},
		{"pid:[]", NSID{}, true},
		{"pid:[abc]", NSID{}, true},
		{"pid:[-1]", NSID{}, true},
		{"pid:[+5]", NSID{}, true},
		{"pid:[ 5]", NSID{}, true},
		{"pid:[18446744073709551616]", NSID{}, true},
		{"pid:[4026531836", NSID{}, true},
		{"pid:[4026531836]]", NSID{}, true},
		{"pid:[4026531836]\n", NSID{}, true},
		{"pid:4026531836", NSID{}, true},
		{"net:[4026531840]", NSID{}, true},
		{"pid_for_children:[4026531836]", NSID{}, true},
		{"PID:[4026531836]", NSID{}, true},
		{"garbage", NSID{}, true},
		{"", NSID{}, true},
	}
	for _, tt := range tests {
		got, err := ParseLink(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseLink(%q) = %+v, %v; want error %v", tt.in, got, err, tt.wantErr)
			continue
		}
		if err != nil && !errors.Is(err, ErrNotPIDNS) {
			t.Errorf("ParseLink(%q) error = %v, want it to wrap ErrNotPIDNS", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("ParseLink(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestNSIDMethods(t *testing.T) {
	host := NSID{Ino: InitialPIDNSInode}
	tests := []struct {
		a, b NSID
		same bool
	}{
		{host, host, true},
		{NSID{Dev: 4, Ino: 5}, NSID{Dev: 4, Ino: 5}, true},
		{NSID{Dev: 0, Ino: 5}, NSID{Dev: 4, Ino: 5}, true}, // readlink identity: inode alone
		{NSID{Dev: 4, Ino: 5}, NSID{Dev: 0, Ino: 5}, true},
		{NSID{Dev: 4, Ino: 5}, NSID{Dev: 7, Ino: 5}, false},
		{NSID{Dev: 4, Ino: 5}, NSID{Dev: 4, Ino: 6}, false},
		{NSID{Ino: 5}, NSID{Ino: 6}, false},
		// Two unknown identities are not known to be one namespace.
		{NSID{}, NSID{}, false},
		// Identities by init: the same init is the same namespace; an
		// inode and an init are not known to be the same.
		{ByInit(4242), ByInit(4242), true},
		{ByInit(4242), ByInit(4243), false},
		{ByInit(4242), NSID{Ino: 4242}, false},
		{ByInit(4242), NSID{}, false},
	}
	for _, tt := range tests {
		if got := tt.a.Same(tt.b); got != tt.same {
			t.Errorf("%+v.Same(%+v) = %v, want %v", tt.a, tt.b, got, tt.same)
		}
		if got := tt.b.Same(tt.a); got != tt.same {
			t.Errorf("%+v.Same(%+v) = %v, want %v (symmetric)", tt.b, tt.a, got, tt.same)
		}
	}

	for _, tt := range []struct {
		id                        NSID
		initial, isZero, hasInode bool
		str                       string
	}{
		{host, true, false, true, "4026531836"},
		{NSID{Dev: 4, Ino: InitialPIDNSInode}, true, false, true, "4026531836"},
		{NSID{Dev: 4, Ino: 4026532201}, false, false, true, "4026532201"},
		// An unknown inode is never rendered as a number.
		{NSID{}, false, true, false, "unknown"},
		{NSID{Dev: 4}, false, true, false, "unknown"},
		{ByInit(1), false, false, false, "init PID 1"},
		{ByInit(4242), false, false, false, "init PID 4242"},
	} {
		if got := tt.id.HasInode(); got != tt.hasInode {
			t.Errorf("%+v.HasInode() = %v, want %v", tt.id, got, tt.hasInode)
		}
		if got := tt.id.IsInitial(); got != tt.initial {
			t.Errorf("%+v.IsInitial() = %v, want %v", tt.id, got, tt.initial)
		}
		if got := tt.id.IsZero(); got != tt.isZero {
			t.Errorf("%+v.IsZero() = %v, want %v", tt.id, got, tt.isZero)
		}
		if got := tt.id.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.id, got, tt.str)
		}
	}
}

// mkFixture builds root/PID/ns/pid -> target for each entry (a dangling
// symlink, as git stores the fixture's links).
func mkFixture(t *testing.T, links map[int]string) string {
	t.Helper()
	root := t.TempDir()
	for pid, target := range links {
		dir := filepath.Join(root, strconv.Itoa(pid), "ns")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, "pid")); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestPIDNSFixture(t *testing.T) {
	root := mkFixture(t, map[int]string{1: "pid:[4026531836]", 4242: "pid:[4026532201]", 7: "garbage", 8: "net:[4026531840]"})
	if IsProcFS(root) {
		t.Fatalf("IsProcFS(%q) = true for a temporary directory", root)
	}
	tests := []struct {
		pid     int
		want    NSID
		wantErr error
	}{
		{1, NSID{Ino: 4026531836}, nil},
		{4242, NSID{Ino: 4026532201}, nil},
		{7, NSID{}, ErrNotPIDNS},
		{8, NSID{}, ErrNotPIDNS},
		{99, NSID{}, fs.ErrNotExist}, // no such process: reads as vanished
	}
	for _, tt := range tests {
		got, err := PIDNS(root, tt.pid, false)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("PIDNS(fixture, %d, false) = %+v, %v; want error %v", tt.pid, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("PIDNS(fixture, %d, false) = %+v, %v; want %+v", tt.pid, got, err, tt.want)
		}
	}
	if _, err := Parent(root, 4242, false); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Parent(fixture, 4242, false) error = %v, want ErrUnsupported", err)
	}
}

// selfLink reads /proc/self/ns/pid.
func selfLink(t *testing.T) NSID {
	t.Helper()
	target, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		t.Fatalf("readlink /proc/self/ns/pid: %v", err)
	}
	id, err := ParseLink(target)
	if err != nil {
		t.Fatalf("ParseLink(%q): %v", target, err)
	}
	return id
}

func TestPIDNSLive(t *testing.T) {
	if !IsProcFS("/proc") {
		t.Fatalf("IsProcFS(/proc) = false")
	}
	link := selfLink(t)
	pid := os.Getpid()
	got, err := PIDNS("/proc", pid, true)
	if err != nil {
		t.Fatalf("PIDNS(/proc, %d, true): %v", pid, err)
	}
	if got.Dev == 0 {
		t.Errorf("PIDNS(/proc, self, true) = %+v, want a nonzero nsfs device from stat", got)
	}
	if got.Ino != link.Ino || !got.Same(link) {
		t.Errorf("PIDNS(/proc, self, true) = %+v, readlink says %+v", got, link)
	}
	byPath, err := ParsePath("/proc/self/ns/pid", true)
	if err != nil || byPath != got {
		t.Errorf("ParsePath(/proc/self/ns/pid, true) = %+v, %v; want %+v", byPath, err, got)
	}
	byLink, err := ParsePath("/proc/self/ns/pid", false)
	if err != nil || byLink != (NSID{Ino: got.Ino}) {
		t.Errorf("ParsePath(/proc/self/ns/pid, false) = %+v, %v; want %+v", byLink, err, NSID{Ino: got.Ino})
	}
	if _, err := PIDNS("/proc", 1<<30, true); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("PIDNS(/proc, no such PID, true) error = %v, want fs.ErrNotExist", err)
	}
}

// TestParentLive: NS_GET_PARENT on our own namespace. In the initial
// namespace there is no parent; in any other, the parent is outside our
// scope. The kernel answers EPERM to both (ioctl_ns(2)).
func TestParentLive(t *testing.T) {
	self := selfLink(t)
	_, err := Parent("/proc", os.Getpid(), true)
	if self.IsInitial() {
		if !errors.Is(err, ErrNoParent) {
			t.Errorf("Parent(/proc, self, true) in the initial namespace: error = %v, want ErrNoParent", err)
		}
	} else {
		t.Logf("running in PID namespace %v, not the initial one", self)
		if !errors.Is(err, ErrNoParent) {
			t.Errorf("Parent(/proc, self, true) in a non-initial namespace: error = %v, want ErrNoParent (parent out of scope)", err)
		}
	}
	if _, err := Parent("/proc", os.Getpid(), false); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Parent(/proc, self, false) error = %v, want ErrUnsupported", err)
	}
	if _, err := Parent("/proc", 1<<30, true); err == nil || errors.Is(err, ErrNoParent) {
		t.Errorf("Parent(/proc, no such PID, true) error = %v, want an open error", err)
	} else if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Parent(/proc, no such PID, true) error = %v, want it to wrap ENOENT so callers see a vanished process", err)
	}
}
