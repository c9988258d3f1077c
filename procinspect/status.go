package procinspect

import (
	"bytes"
	"fmt"
	"strconv"
)

// Status holds the fields of /proc/PID/status (or /proc/PID/task/TID/status)
// that signal prediction needs (fs/proc/array.c: task_state, task_sig).
// Every field can be missing: a sandbox may omit lines, and a malformed line
// is recorded in Problems and left unknown rather than read as zero.
type Status struct {
	// Name is the command name exactly as the kernel prints it (already
	// escaped by the kernel for \n and \\; it may still hold raw control
	// bytes and invalid UTF-8: escape before showing it).
	Name string
	// State is the state letter (R, S, D, T, t, X, Z, P, I), 0 if unknown.
	State byte
	// Tgid is the thread group ID as the reading procfs names it.
	Tgid Int
	// PPid is the parent's PID as the reading procfs names it (0 if outside).
	PPid Int
	// TracerPid is the tracer's PID, 0 when not traced (or when the tracer is
	// not visible from the procfs' namespace).
	TracerPid Int
	// Uid holds the real, effective, saved and filesystem UIDs.
	Uid Known[[4]int]
	// Threads is the number of threads in the process.
	Threads Int
	// NStgid is the thread group ID in each PID namespace, outermost first.
	NStgid []int
	// NSpid is the PID in each PID namespace, from the procfs' namespace down
	// to the process's own. Its last element is 1 for a namespace init.
	NSpid []int
	// NSpgid is the process group ID in each PID namespace, as NSpid (0
	// where the group's leader is not in that namespace).
	NSpgid []int
	// SigQ is "queued/limit" of signals queued for the real UID.
	SigQ string
	// SigPnd is the thread's private pending set.
	SigPnd Mask
	// ShdPnd is the process-wide (shared) pending set; kill() queues here.
	ShdPnd Mask
	// SigBlk is the thread's current blocked mask.
	SigBlk Mask
	// SigIgn is the set of signals whose handler is SIG_IGN.
	SigIgn Mask
	// SigCgt is the set of signals with a handler installed (a function).
	SigCgt Mask
	// CapEff is the effective capability set (a bit per capability).
	CapEff Known[uint64]
	// Seccomp is the seccomp mode: 0 none, 1 strict, 2 filter.
	Seccomp Int
	// Kthread reports whether this is a kernel thread ("Kthread: 1"); the
	// line exists only on newer kernels, so it may be unknown.
	Kthread Flag
	// Switches counts the task's context switches, voluntary then
	// involuntary (voluntary_ctxt_switches, nonvoluntary_ctxt_switches):
	// a task that was asleep at two readings with the same counts has not
	// run in between (every wakeup ends in another switch). A rescan uses
	// it to keep what only the task itself can change (reuse.go: quiet).
	Switches Known[[2]uint64]
	// Problems lists malformed lines, one sentence each.
	Problems []string
}

// IsInit reports whether the process is the init of its own PID namespace:
// the last NSpid field is 1. Known is false when NSpid is absent.
func (s Status) IsInit() (isInit, known bool) {
	if len(s.NSpid) == 0 {
		return false, false
	}
	return s.NSpid[len(s.NSpid)-1] == 1, true
}

// Level is the depth of the process's PID namespace below the procfs'
// namespace (len(NSpid)-1), or -1 when NSpid is absent.
func (s Status) Level() int { return len(s.NSpid) - 1 }

// NSPgid is the process group ID inside the process's own namespace
// (NSpgid's entry at NSpid's last level), or 0 when unknown: either line
// absent, or the group's leader outside that namespace.
func (s Status) NSPgid() int {
	if len(s.NSpgid) == 0 || len(s.NSpgid) != len(s.NSpid) {
		return 0
	}
	return s.NSpgid[len(s.NSpgid)-1]
}

// NSPID is the PID inside the process's own namespace (last NSpid field),
// or 0 when unknown.
func (s Status) NSPID() int {
	if len(s.NSpid) == 0 {
		return 0
	}
	return s.NSpid[len(s.NSpid)-1]
}

// ParseStatus parses the text of a /proc/PID/status file. It never fails on
// content: bad lines become Problems and their fields stay unknown. It
// returns an error only when the text has none of the lines a status file
// always has (Name, or a Pid line), i.e. it is not a status file at all.
//
// A scan parses one per process: it allocates only what it keeps (the
// name, SigQ, the NS lists, and a problem's sentence), not a string per
// line.
func ParseStatus(b []byte) (Status, error) {
	var s Status
	sawName, sawPid := false, false
	var sw [2]uint64
	sawSw := [2]bool{}
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte{'\n'})
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		v := bytes.TrimSpace(val)
		switch string(key) {
		case "Name":
			// Only a tab follows the colon; keep leading and trailing
			// spaces that are part of the name itself.
			s.Name = string(bytes.TrimPrefix(val, []byte{'\t'}))
			sawName = true
		case "State":
			if len(v) > 0 {
				s.State = v[0]
			} else {
				s.problem("State", v)
			}
		case "Pid":
			sawPid = true
		case "Tgid":
			s.Tgid = s.parseInt("Tgid", v)
		case "PPid":
			s.PPid = s.parseInt("PPid", v)
		case "TracerPid":
			s.TracerPid = s.parseInt("TracerPid", v)
		case "Threads":
			s.Threads = s.parseInt("Threads", v)
		case "Uid":
			s.parseUid(v)
		case "NStgid":
			s.NStgid = s.parseList("NStgid", v, 1)
		case "NSpid":
			s.NSpid = s.parseList("NSpid", v, 1)
		case "NSpgid":
			// 0 where the group's leader is not in that namespace
			// (task_pgrp_nr_ns): a process started into a new PID
			// namespace in its parent's group has it at its own level.
			s.NSpgid = s.parseList("NSpgid", v, 0)
		case "SigQ":
			s.SigQ = string(v)
		case "SigPnd":
			s.SigPnd = s.parseMask("SigPnd", v)
		case "ShdPnd":
			s.ShdPnd = s.parseMask("ShdPnd", v)
		case "SigBlk":
			s.SigBlk = s.parseMask("SigBlk", v)
		case "SigIgn":
			s.SigIgn = s.parseMask("SigIgn", v)
		case "SigCgt":
			s.SigCgt = s.parseMask("SigCgt", v)
		case "CapEff":
			if n, ok := parseHex16(v); ok {
				s.CapEff = Of(n)
			} else {
				s.problem("CapEff", v)
			}
		case "Seccomp":
			s.Seccomp = s.parseInt("Seccomp", v)
		case "Kthread":
			if len(v) == 1 && (v[0] == '0' || v[0] == '1') {
				s.Kthread = KnownFlag(v[0] == '1')
			} else {
				s.problem("Kthread", v)
			}
		case "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches":
			i := 0
			if key[0] == 'n' {
				i = 1
			}
			n, err := strconv.ParseUint(string(v), 10, 64)
			if err != nil {
				s.problem(string(key), v)
				continue
			}
			sw[i], sawSw[i] = n, true
		}
	}
	if sawSw[0] && sawSw[1] {
		s.Switches = Of(sw)
	}
	if !sawName && !sawPid {
		return s, fmt.Errorf("not a status file: no Name or Pid line")
	}
	return s, nil
}

// problem records a malformed line: key and (up to 40 bytes of) its value.
func (s *Status) problem(key string, b []byte) {
	v := string(b)
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	s.Problems = append(s.Problems, fmt.Sprintf("malformed %s line %q", key, v))
}

func (s *Status) parseInt(key string, v []byte) Int {
	n, err := strconv.Atoi(string(v))
	if err != nil {
		s.problem(key, v)
		return Int{}
	}
	return KnownInt(n)
}

// parseHex16 parses exactly 16 hexadecimal digits, as the kernel prints a
// mask or a capability set.
func parseHex16(v []byte) (uint64, bool) {
	if len(v) != 16 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(v), 16, 64)
	return n, err == nil
}

func (s *Status) parseMask(key string, v []byte) Mask {
	// As ParseSigSet, which accepts 1 to 16 digits, and exactly 16.
	set, ok := parseHex16(v)
	if !ok {
		s.problem(key, v)
		return Mask{}
	}
	return KnownMask(SigSet(set))
}

// fields splits v as strings.Fields does into out, without allocating
// when v has only ASCII space and tab between its fields; n is their
// number. When there are more than len(out), or other white space
// (strings.Fields splits at any Unicode space), it returns them in a new
// slice instead (many is set).
func fields(v []byte, out [][]byte) (n int, many [][]byte) {
	for _, c := range v {
		if c >= 0x80 || c == '\n' || c == '\v' || c == '\f' || c == '\r' {
			return 0, bytes.Fields(v)
		}
	}
	all := v
	for {
		v = bytes.TrimLeft(v, " \t")
		if len(v) == 0 {
			return n, nil
		}
		if n == len(out) {
			return 0, bytes.Fields(all)
		}
		end := bytes.IndexAny(v, " \t")
		if end < 0 {
			end = len(v)
		}
		out[n], v = v[:end], v[end:]
		n++
	}
}

// parseList parses a list of IDs, each at least least.
func (s *Status) parseList(key string, v []byte, least int) []int {
	var buf [40][]byte
	n, many := fields(v, buf[:])
	f := buf[:n]
	if many != nil {
		f = many
	}
	if len(f) == 0 {
		s.problem(key, v)
		return nil
	}
	out := make([]int, len(f))
	for i, x := range f {
		m, err := strconv.Atoi(string(x))
		if err != nil || m < least {
			s.problem(key, v)
			return nil
		}
		out[i] = m
	}
	return out
}

func (s *Status) parseUid(v []byte) {
	var buf [4][]byte
	n, many := fields(v, buf[:])
	f := buf[:n]
	if many != nil {
		f = many
	}
	if len(f) != 4 {
		s.problem("Uid", v)
		return
	}
	var uid [4]int
	for i, x := range f {
		n, err := strconv.Atoi(string(x))
		if err != nil {
			s.problem("Uid", v)
			return
		}
		uid[i] = n
	}
	s.Uid = Of(uid)
}
