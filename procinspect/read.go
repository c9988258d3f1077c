package procinspect

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/nsutil"
)

// readCmdline reads a process's argv; nil when it is unreadable or empty
// (a kernel thread, a zombie).
func readCmdline(pr Proc) []string {
	b, err := pr.read("cmdline", maxCmdline)
	if err != nil {
		return nil
	}
	return ParseCmdline(b)
}

// ParseCmdline splits /proc/PID/cmdline (NUL-separated, NUL-terminated).
func ParseCmdline(b []byte) []string {
	b = bytes.TrimSuffix(b, []byte{0})
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}

// ParseStartTime returns field 22 (starttime) of /proc/PID/stat.
func ParseStartTime(b []byte) (uint64, error) { return nsutil.ParseStartTime(b) }

// ParseStatFlags returns field 9 (flags) of /proc/PID/stat.
func ParseStatFlags(b []byte) (uint64, error) { return nsutil.ParseStatFlags(b) }

// pfKthread is PF_KTHREAD (include/linux/sched.h): the task is a kernel
// thread.
const pfKthread = 0x00200000

// kthreadOf reads PF_KTHREAD from the text of a stat file; unknown when the
// flags field is malformed.
func kthreadOf(stat []byte) Flag {
	flags, err := ParseStatFlags(stat)
	if err != nil {
		return Flag{}
	}
	return KnownFlag(flags&pfKthread != 0)
}

// ParseSyscall parses /proc/PID/syscall: "NR ARG0 … ARG5 SP PC" while
// blocked in a system call, "-1 SP PC" when blocked outside one, and
// "running" while on a CPU. It returns the number (-1 for the last two) and
// the arguments.
func ParseSyscall(b []byte) (nr int, args [6]uint64, err error) {
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -2, args, fmt.Errorf("empty syscall file")
	}
	if f[0] == "running" {
		return -1, args, nil
	}
	nr, err = strconv.Atoi(f[0])
	if err != nil {
		return -2, args, fmt.Errorf("malformed syscall file %q", f[0])
	}
	if nr < 0 {
		return -1, args, nil
	}
	if len(f) < 7 {
		return -2, args, fmt.Errorf("malformed syscall file: %d fields", len(f))
	}
	for i := range args {
		v, err := strconv.ParseUint(strings.TrimPrefix(f[i+1], "0x"), 16, 64)
		if err != nil {
			return -2, args, fmt.Errorf("malformed syscall argument %q", f[i+1])
		}
		args[i] = v
	}
	return nr, args, nil
}

// readThreads reads every task of the process. A live process whose status
// st counts one thread has the leader alone, whose task status is st
// (the process's status is its leader's).
//
// prev, when set, is the same process's threads as the last scan read
// them: a thread asleep at both reads with the same switch counts (and no
// sigtimedwait, whose set lives in memory a sibling may write) keeps the
// wait it had (quietThread).
//
// A lone thread's run time is what a later scan's quiet compares, unless
// the process events cover that scan (evCover.sawNoThread); noRun skips it
// when they cover this one. Left 0 (unknown), it keeps nothing should the
// events fail by then.
func readThreads(pr Proc, st Status, prev []Thread, noRun bool) ([]Thread, error) {
	dir, readMem := pr.dir, pr.fs.Mem
	if pr.fs.Live && st.Threads.Known && st.Threads.V == 1 && st.Tgid.Known && st.Tgid.V == pr.PID {
		tdir := "task/" + strconv.Itoa(pr.PID) + "/"
		t := readThreadWait(pr, tdir, pr.PID, st, readMem)
		if !noRun {
			t.run = runTime(pr, tdir)
		}
		return []Thread{t}, nil
	}
	ents, err := listTasks(dir)
	if err != nil {
		return nil, err
	}
	threads := make([]Thread, 0, len(ents))
	for _, e := range ents {
		tid := e.pid
		tdir := "task/" + strconv.Itoa(tid) + "/"
		st, err := pr.readStatus(tdir + "status")
		if err != nil {
			if Vanished(err) {
				continue // the thread exited; the rest of the process may live on
			}
			return nil, err
		}
		// The leader's task inode outlives an exec from another thread
		// (de_thread gives that thread the leader's PID): its run time
		// tells them apart.
		var run uint64
		if tid == pr.PID {
			run = runTime(pr, tdir)
		}
		if q := quietThread(prev, tid, e.ino, run, st); q != nil && (tid != pr.PID || run != 0) {
			t := *q
			t.Status = st
			threads = append(threads, t)
			continue
		}
		t := readThreadWait(pr, tdir, tid, st, readMem)
		t.ino, t.run = e.ino, run
		threads = append(threads, t)
	}
	if len(threads) == 0 {
		return nil, fmt.Errorf("%s/task: %w", dir, ErrGone)
	}
	sort.Slice(threads, func(i, j int) bool { return threads[i].TID < threads[j].TID })
	return threads, nil
}

// runTime is the task's time on a CPU in nanoseconds (schedstat's first
// field, sum_exec_runtime), 0 when unknown (a kernel without schedstat
// prints "0 0 0"). It grows whenever the task runs, and two tasks never
// share it but by chance to the nanosecond.
//
// tdir is the task's directory below pr's ("task/TID/"), or "" for the
// process's own schedstat (its leader's).
func runTime(pr Proc, tdir string) uint64 {
	b, err := pr.read(tdir+"schedstat", maxLine)
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	n, _ := strconv.ParseUint(f, 10, 64)
	return n
}

// readThreadWait fills in what the thread sleeps in, and for a thread in
// rt_sigtimedwait the set it waits for (docs/kernel-signals.md §4.2).
// tdir is the thread's directory below pr's ("task/TID/").
func readThreadWait(pr Proc, tdir string, tid int, st Status, readMem bool) Thread {
	t := Thread{TID: tid, Status: st, Syscall: -2}
	if w, err := pr.read(tdir+"wchan", maxLine); err == nil {
		// The kernel prints "0" when it will not say (no ptrace-read access).
		if s := strings.TrimSpace(string(w)); s != "0" {
			t.Wchan = s
		}
	}
	var args [6]uint64
	if b, err := pr.read(tdir+"syscall", maxLine); err == nil {
		if nr, a, err := ParseSyscall(b); err == nil {
			t.Syscall, args = nr, a
		}
	}
	switch {
	case isSigwaitSyscall(t.Syscall):
		t.Sigwait = KnownFlag(true)
	case t.Syscall != -2:
		t.Sigwait = KnownFlag(false)
	case strings.HasPrefix(t.Wchan, "do_sigtimedwait"):
		t.Sigwait = KnownFlag(true)
	case t.Wchan != "" || (st.State != 'S' && st.State != 0):
		// Only an interruptible sleeper can be waiting for a signal.
		t.Sigwait = KnownFlag(false)
	}
	if !t.Sigwait.V {
		return t
	}
	switch {
	case !isSigwaitSyscall(t.Syscall):
		t.WaitSetErr = "the thread's syscall arguments are unreadable (needs ptrace access)"
	case !readMem:
		t.WaitSetErr = "reading process memory is turned off, or this is not a live procfs"
	case args[3] != 8:
		t.WaitSetErr = fmt.Sprintf("unexpected sigset size %d", args[3])
	default:
		set, err := readSigsetAt(pr.path("mem"), args[0])
		if err != nil {
			t.WaitSetErr = reason(err)
		} else {
			t.WaitSet = KnownMask(set)
		}
	}
	return t
}

// readSigsetAt reads an 8-byte sigset_t at addr in a process's memory
// (needs ptrace-read access: root on the host). The kernel's sigset_t is an
// array of unsigned longs in the machine's byte order: one word on 64-bit
// machines, two on 32-bit ones, whose low word comes first and which read
// as one native 64-bit word on the little-endian ones (the big-endian
// 32-bit port, MIPS, is refused by signals_linux.go).
//
// Plain system calls, not os.File's (whose poller registration is a
// system call more): a rescan reads one for every process in sigtimedwait.
func readSigsetAt(memPath string, addr uint64) (SigSet, error) {
	fd, err := unix.Open(memPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: memPath, Err: err}
	}
	defer unix.Close(fd)
	var buf [8]byte
	for {
		n, err := unix.Pread(fd, buf[:], int64(addr))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, &os.PathError{Op: "read", Path: memPath, Err: err}
		case n < len(buf):
			return 0, &os.PathError{Op: "read", Path: memPath, Err: io.ErrUnexpectedEOF}
		}
		return SigSet(binary.NativeEndian.Uint64(buf[:])), nil
	}
}

// signalfdLink is what /proc/PID/fd/N reads for a signalfd.
const signalfdLink = "anon_inode:[signalfd]"

// readSignalfds finds the process's signalfds and the set each accepts
// (fdinfo "sigmask:", fs/signalfd.c: signalfd_show_fdinfo).
func readSignalfds(pr Proc) ([]Consumer, error) {
	dir, pid := pr.dir, pr.PID
	fdDir := dir + "/fd"
	ents, err := listEntries(fdDir, direntBufSize)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: fdDir, Err: err}
	}
	var out []Consumer
	// One byte more than the link a signalfd reads: a longer target is
	// not one, and nothing is allocated per descriptor.
	var link [len(signalfdLink) + 1]byte
	for _, e := range ents {
		name := strconv.Itoa(e.pid)
		n, err := unix.Readlink(fdDir+"/"+name, link[:])
		if err != nil || string(link[:n]) != signalfdLink {
			continue
		}
		c := Consumer{Kind: "signalfd", TID: pid, FD: e.pid}
		if b, err := pr.read("fdinfo/"+name, maxLine); err == nil {
			c.Set = parseFdinfoSigmask(b)
		}
		out = append(out, c)
	}
	return out, nil
}

// parseFdinfoSigmask returns the "sigmask:" line of a signalfd's fdinfo.
func parseFdinfoSigmask(b []byte) Mask {
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "sigmask:"); ok {
			v = strings.TrimSpace(v)
			if set, err := ParseSigSet(v); err == nil && len(v) == 16 {
				return KnownMask(set)
			}
			return Mask{}
		}
	}
	return Mask{}
}

// goCache remembers which executables carry Go build information, by file
// identity and modification time: the live UI asks again every scan, and
// reading an ELF file costs far more than a stat.
var goCache = struct {
	sync.Mutex
	m map[exeID]bool
}{m: map[exeID]bool{}}

type exeID struct {
	dev, ino  uint64
	mtimeNsec int64
	// ctimeNsec changes when the file is renamed or unlinked (a package
	// upgrade), which changes what the exe link reads ("... (deleted)")
	// while device, inode, size and mtime stay.
	ctimeNsec int64
	size      int64
	typ       uint32 // S_IFMT
	known     bool
}

// readGo reports whether the executable carries Go build information
// (debug/buildinfo reads the .go.buildinfo section of the ELF file).
func readGo(pr Proc) (Flag, string, exeID) {
	path := pr.path("exe")
	exe, _ := os.Readlink(path)
	id, ok := exeIdentity(path)
	if !ok {
		return Flag{}, exe, id // unreadable (kernel thread, zombie, permission, fixture)
	}
	if id.typ != syscall.S_IFREG {
		// Never an executable's (execve runs only a regular file): a
		// --proc tree's exe pointing at a FIFO or a device.
		pr.fs.note(&os.PathError{Op: "open", Path: path, Err: errNotRegular(id.typ)})
		return Flag{}, exe, id
	}
	return goOf(path, id), exe, id
}

// goOf reports whether the executable at path, whose identity is id,
// carries Go build information, from goCache or read and remembered there.
// Only an answer the file gave is remembered: when the file cannot be
// opened or read (the process exited since its identity was read: its exe
// link is gone), the answer is unknown and the next process running that
// executable reads it again. A remembered "not Go" stood for every later
// process of that executable for as long as sigview ran.
func goOf(path string, id exeID) Flag {
	goCache.Lock()
	isGo, ok := goCache.m[id]
	goCache.Unlock()
	if ok {
		return KnownFlag(isGo)
	}
	f, err := openRegular(path)
	if err != nil {
		return Flag{}
	}
	defer f.Close()
	_, err = buildinfo.Read(f)
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		return Flag{} // a read failed: the file said nothing
	}
	isGo = err == nil
	goCache.Lock()
	if len(goCache.m) > 4096 {
		clear(goCache.m)
	}
	goCache.m[id] = isGo
	goCache.Unlock()
	return KnownFlag(isGo)
}

// readJVM reports whether libjvm is mapped into the process: its maps
// read as a stream, at most maxMaps bytes (more is refused: unknown).
func readJVM(pr Proc) Flag {
	path := pr.path("maps")
	fd, err := readOpen(path, pr.fs.Live)
	if err != nil {
		pr.fs.note(err)
		return Flag{}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: maxMaps + 1}
	sc := bufio.NewScanner(lr)
	for sc.Scan() {
		if bytes.HasSuffix(sc.Bytes(), []byte("/libjvm.so")) {
			return KnownFlag(true)
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		// No kernel's line is: a path of at most PATH_MAX and 100 bytes.
		pr.fs.note(&os.PathError{Op: "read", Path: path, Err: fmt.Errorf("a line %w", errTooLarge(bufio.MaxScanTokenSize))})
	}
	if sc.Err() != nil {
		return Flag{}
	}
	if lr.N == 0 {
		pr.fs.note(&os.PathError{Op: "read", Path: path, Err: errTooLarge(maxMaps)})
		return Flag{}
	}
	return KnownFlag(false)
}

// readProgram reads what p's executable says: its exe link, Go build
// information, and (for an otherwise unrecognised program) libjvm.
func readProgram(p *Process, pr Proc) {
	p.Deep.Go, p.Deep.Exe, p.Deep.exe = readGo(pr)
	readJVMFor(p, pr)
}

// readJVMFor reads whether an otherwise unrecognised process is a JVM.
func readJVMFor(p *Process, pr Proc) {
	if p.Deep != nil && !p.Deep.Go.V && Identify(p) == ProgUnknown {
		p.Deep.JVM = readJVM(pr)
	}
}

// readDeep reads the facts a prediction needs for one process, but for
// what its executable says (readGo, readJVMFor), which a rescan may keep. On a live
// procfs a missing directory means the process exited; in a copy it is
// just missing. Unless allFDs is set, the fd table is read only when some
// signal is blocked in every thread: a signalfd receives only such
// signals (docs/kernel-signals.md §4.1), and an init can hold hundreds of fds.
func readDeep(pr Proc, allFDs bool, st Status, prev []Thread, noRun bool) *Deep {
	threads, err := readThreads(pr, st, prev, noRun)
	return deepOf(pr, allFDs, threads, err)
}

// deepOf is readDeep's work once the threads are known (read, with err,
// or kept from the last scan: keepQuiet).
func deepOf(pr Proc, allFDs bool, threads []Thread, err error) *Deep {
	d, live := &Deep{}, pr.fs.Live
	if err != nil {
		d.ThreadsErr = reason(err)
		d.Gone = d.Gone || live && Vanished(err)
	}
	d.Threads = threads
	for _, t := range threads {
		if t.Sigwait.V {
			c := Consumer{Kind: "sigtimedwait", TID: t.TID, FD: -1, Set: t.WaitSet}
			d.Consumers = append(d.Consumers, c)
		}
	}
	if allFDs || err != nil || blockedEverywhere(threads) != 0 {
		fds, err := readSignalfds(pr)
		if err != nil {
			d.FDErr = reason(err)
			d.Gone = d.Gone || live && Vanished(err)
		}
		d.Consumers = append(d.Consumers, fds...)
	} else {
		d.FDsSkipped = true
	}
	return d
}

// blockedEverywhere is the set of signals every live thread blocks. An
// unknown SigBlk counts as blocking everything, so nothing is skipped on
// its account; a known sigtimedwait set counts as blocked (real_blocked).
// An unknown wait state adds nothing: a prediction that hinges on it is
// unknown already, or assumes no wait.
func blockedEverywhere(threads []Thread) SigSet {
	all := ^SigSet(0)
	for _, t := range threads {
		if !t.Live() {
			continue
		}
		blk := ^SigSet(0)
		if t.Status.SigBlk.Known {
			blk = t.Status.SigBlk.Set | t.WaitSet.Set
		}
		all &= blk
	}
	return all
}
