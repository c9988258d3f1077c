package nsutil

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// ParseStartTime returns field 22 (starttime) of /proc/PID/stat. The comm
// field may hold spaces and parentheses, so fields are counted after the
// last ')'.
func ParseStartTime(b []byte) (uint64, error) { return statField(b, 22, "starttime") }

// ParseStatFlags returns field 9 (flags: PF_* of include/linux/sched.h) of
// /proc/PID/stat.
func ParseStatFlags(b []byte) (uint64, error) { return statField(b, 9, "flags") }

// statField returns numeric field n (1-based, as proc(5) counts) of a stat
// file.
func statField(b []byte, n int, name string) (uint64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed stat: no ')'")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < n-2 {
		return 0, fmt.Errorf("malformed stat: %d fields after comm", len(f))
	}
	v, err := strconv.ParseUint(f[n-3], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("malformed stat %s %q", name, f[n-3])
	}
	return v, nil
}
