package nsutil

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const mountinfo = `21 26 0:20 / /proc rw,relatime - proc proc rw
22 26 0:21 / /sys rw,nosuid - sysfs sysfs rw
30 21 0:31 / /proc/sys/fs/binfmt_misc rw,relatime - binfmt_misc binfmt_misc rw
40 26 0:45 / /tmp/hp rw,relatime - proc proc rw,hidepid=invisible
41 26 0:46 / /tmp/h\040p2 rw,relatime - proc proc rw,hidepid=2,gid=27
42 26 0:47 / /run/p rw,relatime shared:5 - proc proc rw,hidepid=ptraceable,subset=pid
43 26 0:47 / /run/p-again rw,relatime - proc proc rw,hidepid=ptraceable,subset=pid
44 26 0:48 / /run/n rw - proc none rw,hidepid=1
45 26 0:49 / /run/off rw - proc proc rw,hidepid=off,subset=pid
46 26 0:50 / /run/odd rw - proc proc rw,hidepid=7
`

func TestFindProcMount(t *testing.T) {
	tests := []struct {
		major, minor uint32
		path         string
		want         ProcMount
		err          bool
	}{
		{0, 20, "/proc", ProcMount{MountPoint: "/proc"}, false},
		{0, 45, "/tmp/hp", ProcMount{MountPoint: "/tmp/hp", HidePID: "invisible", Hide: HideInvisible}, false},
		{0, 46, "/tmp/h p2", ProcMount{MountPoint: "/tmp/h p2", HidePID: "2", Hide: HideInvisible, GID: 27}, false},
		// One superblock in two places: the entry at the path asked about.
		{0, 47, "/run/p", ProcMount{MountPoint: "/run/p", HidePID: "ptraceable", Hide: HidePtraceable, SubsetPID: true}, false},
		{0, 47, "/run/p-again", ProcMount{MountPoint: "/run/p-again", HidePID: "ptraceable", Hide: HidePtraceable, SubsetPID: true}, false},
		{0, 48, "/run/n", ProcMount{MountPoint: "/run/n", HidePID: "1", Hide: HideNoAccess}, false},
		{0, 49, "/run/off", ProcMount{MountPoint: "/run/off", HidePID: "off", SubsetPID: true}, false},
		// A mode this code does not know is taken to hide, and kept as mounted.
		{0, 50, "/run/odd", ProcMount{MountPoint: "/run/odd", HidePID: "7", Hide: HideInvisible}, false},
		{0, 21, "/sys", ProcMount{}, true}, // not a procfs
		{0, 99, "/x", ProcMount{}, true},   // not listed
	}
	for _, tt := range tests {
		got, err := FindProcMount([]byte(mountinfo), tt.major, tt.minor, tt.path)
		if (err != nil) != tt.err {
			t.Errorf("FindProcMount(%d:%d) error = %v, want error %v", tt.major, tt.minor, err, tt.err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("FindProcMount(%d:%d) mismatch (-want +got):\n%s", tt.major, tt.minor, diff)
		}
	}
}

func TestProcMountHides(t *testing.T) {
	nobody := Reader{Groups: []int{65534}}
	tests := []struct {
		m    ProcMount
		r    Reader
		want string // "" or a part of the answer
	}{
		{ProcMount{}, nobody, ""},
		{ProcMount{Hide: HideInvisible}, nobody, "other users' processes are hidden"},
		{ProcMount{Hide: HideNoAccess}, nobody, "listed but cannot be read"},
		{ProcMount{Hide: HidePtraceable}, nobody, "may not ptrace"},
		// CAP_SYS_PTRACE (root) sees through every mode.
		{ProcMount{Hide: HideInvisible}, Reader{Ptrace: true}, ""},
		{ProcMount{Hide: HidePtraceable}, Reader{Ptrace: true}, ""},
		// The gid= group is exempt, except from ptraceable; without gid=
		// the kernel's group is root's, 0.
		{ProcMount{Hide: HideInvisible, GID: 27}, Reader{Groups: []int{1000, 27}}, ""},
		{ProcMount{Hide: HideInvisible, GID: 27}, nobody, "hidden"},
		{ProcMount{Hide: HideInvisible}, Reader{Groups: []int{0}}, ""},
		{ProcMount{Hide: HidePtraceable, GID: 27}, Reader{Groups: []int{27}}, "may not ptrace"},
	}
	for _, tt := range tests {
		got := tt.m.Hides(tt.r)
		if (tt.want == "") != (got == "") || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("%+v.Hides(%+v) = %q, want %q", tt.m, tt.r, got, tt.want)
		}
	}
}
