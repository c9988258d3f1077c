package sigtrace

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"
)

// Recorder is the loaded, attached flight recorder.
type Recorder struct {
	objs  sigtraceObjects
	links []link.Link
	rd    *ringbuf.Reader
	// wall is the wall-clock time of the kernel's monotonic zero.
	wall time.Time
	// last is when Read last had a record (Read's goroutine only).
	last  time.Time
	names interner // (Read's goroutine only)
	// pace paces the polls of a burst; Close ends a sleep on it.
	pace *pacer

	mu     sync.Mutex
	closed bool
}

// Open loads the recorder into the kernel and attaches it. The error is an
// *Unavailable when the kernel or sigview's privileges do not allow it.
func Open(o Options) (*Recorder, error) {
	if err := precheck(); err != nil {
		return nil, err
	}
	spec, err := loadSigtrace()
	if err != nil {
		return nil, fmt.Errorf("sigtrace: %w", err)
	}
	view := o.View
	if view == (View{}) {
		if view, err = OwnView(); err != nil {
			return nil, fmt.Errorf("sigtrace: sigview's own PID namespace: %w", err)
		}
	}
	for name, v := range map[string]uint32{"cfg_all": b2u(o.All), "cfg_signal": uint32(o.Signal),
		"cfg_targets": b2u(len(o.PIDs)+len(o.PIDNS) > 0), "cfg_view_ns": uint32(view.Ino)} {
		vs, ok := spec.Variables[name]
		if !ok {
			return nil, fmt.Errorf("sigtrace: the BPF object has no %s", name)
		}
		if err := vs.Set(v); err != nil {
			return nil, fmt.Errorf("sigtrace: set %s: %w", name, err)
		}
	}
	r := &Recorder{}
	if err := spec.LoadAndAssign(&r.objs, nil); err != nil {
		return nil, classify("loading the BPF programs", err)
	}
	one := uint8(1)
	for _, pid := range o.PIDs {
		if err := r.objs.TargetTgids.Put(uint32(pid), one); err != nil {
			r.Close()
			return nil, fmt.Errorf("sigtrace: target PID %d: %w", pid, err)
		}
	}
	for _, ns := range o.PIDNS {
		if err := r.objs.TargetNs.Put(uint32(ns), one); err != nil {
			r.Close()
			return nil, fmt.Errorf("sigtrace: target namespace %d: %w", ns, err)
		}
	}
	for _, p := range []*ebpf.Program{r.objs.SignalGenerate, r.objs.SignalDeliver, r.objs.SchedProcessExit} {
		l, err := link.AttachTracing(link.TracingOptions{Program: p})
		if err != nil {
			r.Close()
			return nil, classify("attaching to the tracepoint "+p.String(), err)
		}
		r.links = append(r.links, l)
	}
	r.rd, err = ringbuf.NewReader(r.objs.Events)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("sigtrace: ring buffer: %w", err)
	}
	if r.pace, err = newPacer(); err != nil {
		r.Close()
		return nil, fmt.Errorf("sigtrace: timerfd: %w", err)
	}
	var mono unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono); err != nil {
		r.Close()
		return nil, fmt.Errorf("sigtrace: clock: %w", err)
	}
	r.wall = time.Now().Add(-time.Duration(mono.Nano()))
	return r, nil
}

// OwnView is sigview's own PID namespace.
func OwnView() (View, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/pid", &st); err != nil {
		return View{}, err
	}
	return View{Ino: st.Ino}, nil
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// precheck says why the recorder cannot load before trying, where the
// machine tells.
func precheck() error {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		return &Unavailable{Why: "the kernel has no BTF (/sys/kernel/btf/vmlinux)",
			Fix: "a kernel built with CONFIG_DEBUG_INFO_BTF=y, as most distributions' are", Err: err}
	}
	return nil
}

// classify turns a load or attach failure into an *Unavailable where it is
// the machine's doing.
func classify(what string, err error) error {
	lockdown, _ := os.ReadFile("/sys/kernel/security/lockdown")
	return classifyWith(what, err, string(lockdown), readPrivileges())
}

// privileges are what the kernel checks before loading tracing programs.
type privileges struct {
	euid   int
	capEff uint64
	known  bool // capEff was read
}

// Capability bits (linux/capability.h).
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// enough: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON (tracing programs).
// Unknown capabilities count as enough for root only.
func (p privileges) enough() bool {
	if !p.known {
		return p.euid == 0
	}
	has := func(c uint) bool { return p.capEff&(1<<c) != 0 }
	return has(capSysAdmin) || has(capBPF) && has(capPerfmon)
}

func (p privileges) String() string {
	if !p.known {
		return fmt.Sprintf("euid %d, capabilities unknown", p.euid)
	}
	return fmt.Sprintf("euid %d, CapEff %016x", p.euid, p.capEff)
}

func readPrivileges() privileges {
	p := privileges{euid: os.Geteuid()}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return p
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			if n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64); err == nil {
				p.capEff, p.known = n, true
			}
		}
	}
	return p
}

// verifierLines is how many of the verifier log's last lines are shown.
const verifierLines = 4

// verifierTail returns the last lines of a verifier log, without the
// "processed N insns" summary, each bounded.
func verifierTail(log []string) string {
	var lines []string
	for i := len(log) - 1; i >= 0 && len(lines) < verifierLines; i-- {
		l := strings.TrimSpace(log[i])
		if l == "" || strings.HasPrefix(l, "processed ") {
			continue
		}
		if len(l) > 160 {
			l = l[:160] + "…"
		}
		lines = append([]string{strconv.Quote(l)}, lines...)
	}
	if len(lines) == 0 {
		return "no verifier log"
	}
	return strings.Join(lines, " / ")
}

// rejected is a verifier rejection without the log (shown in Why).
type rejected struct {
	msg string
	err error
}

func (r *rejected) Error() string { return r.msg }
func (r *rejected) Unwrap() error { return r.err }

func classifyWith(what string, err error, lockdown string, p privileges) error {
	const privFix = "run as root, or with CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); an LSM or kernel.unprivileged_bpf_disabled may also refuse"
	var ve *ebpf.VerifierError
	switch {
	case strings.Contains(lockdown, "[confidentiality]"):
		return &Unavailable{Why: what + " was refused: the kernel is locked down (lockdown=confidentiality)",
			Fix: "boot with lockdown=integrity or none", Err: err}
	case !p.enough() && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)):
		// The verifier refuses an unprivileged loader too: privileges
		// are checked first.
		return &Unavailable{Why: what + " was not permitted (" + p.String() + ")", Fix: privFix, Err: err}
	case errors.As(err, &ve):
		// The verifier rejected a program that a privileged loader
		// gave it: the kernel is older than the recorder needs, or its
		// BTF lacks what a program reads (a tracepoint argument, a
		// field), not a matter of privileges.
		msg := ve.Cause.Error()
		if prefix, ok := strings.CutSuffix(err.Error(), ve.Error()); ok {
			msg = prefix + msg
		}
		return &Unavailable{
			Why: what + " failed: the kernel's verifier rejected a program (the kernel is too old for the recorder, or lacks BTF for what it reads); the verifier's last lines: " +
				verifierTail(ve.Log),
			Fix: "Linux 5.11 or later built with CONFIG_DEBUG_INFO_BTF=y; sigview's privileges were enough (" + p.String() + ")",
			Err: &rejected{msg: msg, err: err}}
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		return &Unavailable{Why: what + " was refused although sigview has the privileges (" + p.String() + ")",
			Fix: "an LSM (SELinux, AppArmor, the BPF LSM), a seccomp filter, or a user namespace whose capabilities do not count for BPF refused it",
			Err: err}
	case errors.Is(err, ebpf.ErrNotSupported), errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOENT),
		errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return &Unavailable{Why: what + " failed: this kernel lacks a BPF feature the recorder needs",
			Fix: "Linux 5.11 or later with BTF tracepoints (tp_btf), BPF ring buffers and CONFIG_BPF_SYSCALL (gVisor has none)",
			Err: err}
	}
	return fmt.Errorf("sigtrace: %s: %w", what, err)
}

// maxBatch bounds ReadBatch.
const maxBatch = 256

// ErrClosed is returned by ReadBatch once the recorder is closed.
var ErrClosed = errors.New("sigtrace: recorder closed")

// The kernel wakes the reader for the first record after 50 ms without one
// (QUIET_NS) and when a quarter of the ring is full; within a burst the
// records are written without a wakeup, and Read takes them every Poll: the
// most a record waits in the ring. It keeps to that rhythm for active after
// the last record (much longer than QUIET_NS), then waits for the kernel's
// wakeup, at most idlePoll at a time, a safety net that costs nothing
// measurable.
//
// Within a burst Read sleeps on a timerfd that the Go runtime's poller
// waits on (pacer), then takes what the ring holds without blocking, rather
// than blocking in epoll_wait for Poll: a thread blocked in a system call
// for more than 10 ms has its P retaken by the Go runtime's monitor, which
// then polls every 20 µs for a while (a quarter of watch's CPU in a storm,
// perf, 1,000 signals a second); and rather than sleeping on a Go timer,
// which woke the reading thread twice a poll and the monitor with it (see
// pacer).
const (
	Poll     = 40 * time.Millisecond
	active   = time.Second
	idlePoll = time.Second
)

// ReadBatch waits until a record comes or until the deadline, whichever is
// first, and appends that record and every record already waiting (up to a
// bound) to dst: one hand-over per batch rather than per record. At the
// deadline it returns dst as it was. It returns ErrClosed once Close has
// been called.
func (r *Recorder) ReadBatch(dst []Record, deadline time.Time) ([]Record, error) {
	var raw ringbuf.Record
	n := len(dst)
	for len(dst)-n < maxBatch {
		now := time.Now()
		avail, open := r.available()
		if !open {
			return dst, ErrClosed
		}
		if len(dst) > n {
			if avail == 0 {
				break
			}
		} else if !now.Add(time.Millisecond).Before(deadline) {
			// The poller waits in whole milliseconds: a deadline less
			// than one away would spin until it passed.
			break
		}
		switch {
		case len(dst) > n:
			// More is waiting: take it without a wait.
			r.rd.SetDeadline(now)
		case now.Sub(r.last) < active:
			// Records flow, written without waking the reader: sleep
			// until the next poll, then take what is there.
			if avail == 0 {
				if !r.sleep(minTime(now.Add(Poll), deadline).Sub(now)) {
					return dst, ErrClosed
				}
				if avail, open = r.available(); !open {
					return dst, ErrClosed
				} else if avail == 0 {
					continue
				}
			}
			r.rd.SetDeadline(time.Now())
		case avail > 0:
			// Quiet, but records wait (written without a wakeup while
			// the reader was held): take them without a wait.
			r.rd.SetDeadline(now)
		default:
			// Quiet: the kernel wakes the reader for the next record.
			r.rd.SetDeadline(minTime(now.Add(idlePoll), deadline))
		}
		if err := r.rd.ReadInto(&raw); err != nil {
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				continue
			case errors.Is(err, os.ErrClosed) || errors.Is(err, ringbuf.ErrClosed):
				return dst, ErrClosed
			}
			return dst, fmt.Errorf("sigtrace: %w", err)
		}
		r.last = time.Now()
		if rec, ok := decode(raw.RawSample, r.wall, &r.names); ok {
			dst = append(dst, rec)
		}
	}
	return dst, nil
}

// available returns how many bytes the ring holds, and false once the
// recorder is closed (the reader's ring is gone then).
func (r *Recorder) available() (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, false
	}
	return r.rd.AvailableBytes(), true
}

// sleep waits d, or until Close; it reports whether the recorder is still
// open.
func (r *Recorder) sleep(d time.Duration) bool { return r.pace.sleep(d) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Lost returns how many records the kernel could not write because the
// ring buffer was full (user space did not keep up), since Open.
func (r *Recorder) Lost() (uint64, error) { return r.stat(0) }

// Written returns how many records the kernel wrote since Open.
func (r *Recorder) Written() (uint64, error) { return r.stat(1) }

func (r *Recorder) stat(i uint32) (uint64, error) {
	var per []uint64
	if err := r.objs.Stats.Lookup(i, &per); err != nil {
		return 0, fmt.Errorf("sigtrace: stats: %w", err)
	}
	var n uint64
	for _, v := range per {
		n += v
	}
	return n, nil
}

// Close detaches and unloads everything Open installed. Safe to call more
// than once, and from another goroutine than Read's.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	var errs []error
	if r.pace != nil {
		errs = append(errs, r.pace.close())
	}
	if r.rd != nil {
		errs = append(errs, r.rd.Close())
	}
	for _, l := range r.links {
		errs = append(errs, l.Close())
	}
	errs = append(errs, r.objs.Close())
	return errors.Join(errs...)
}
