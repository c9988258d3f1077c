// Package probe measures, on the running kernel, the signal rules that
// differ between kernel builds (docs/kernel-signals.md §0 item 6, §13). It
// re-executes the running binary as tiny helper inits in throwaway PID
// namespaces — as root with CLONE_NEWPID, otherwise in a user and PID
// namespace where the kernel allows it — signals only those helpers, and
// records what the kernel did. The result is a procinspect.Kernel, cached
// per boot (see Load).
//
// This package starts processes and sends signals, but only to the helpers
// it started itself.
package probe

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/procinspect"
)

// Bounds of one measurement. A helper is ready in a few milliseconds; the
// whole probe runs its measurements side by side.
const (
	readyTimeout = 5 * time.Second
	// settle is how long a helper must stay alive, with nothing pending,
	// after a signal, before the probe says it survived it.
	settle = 20 * time.Millisecond
	// decideTimeout bounds the wait for either outcome. Both outcomes end
	// the wait as soon as they are seen (tens of milliseconds here), so it
	// only matters when the machine is too loaded to schedule the helper or
	// its tracer: 300 ms proved too short under a loaded CI run.
	decideTimeout = 3 * time.Second
)

// helpersStarted counts helper inits, so tests can tell a cached profile
// from a measured one.
var helpersStarted atomic.Int64

// Measure probes the running kernel now, without the cache.
func Measure() *procinspect.Kernel {
	k := identity()
	k.Source = "probe"
	start := time.Now()
	attr, method, err := namespaceAttr()
	k.Method = method
	if err != nil {
		for _, name := range procinspect.AllRules {
			k.Set(procinspect.Rule{Name: name, How: err.Error()})
		}
		return k
	}
	var mu sync.Mutex
	set := func(rs ...procinspect.Rule) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range rs {
			k.Set(r)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { set(fastPath(attr, unix.SIGTERM, procinspect.RuleFastPathKillsInit, true)...) })
	wg.Go(func() { set(fastPath(attr, unix.SIGQUIT, procinspect.RuleCoreFastPathKillsInit, false)...) })
	wg.Go(func() { set(traced(attr)) })
	wg.Wait()
	k.ProbedAt, k.Took = start, time.Since(start)
	// Keep the documented order.
	rules := make([]procinspect.Rule, 0, len(procinspect.AllRules))
	for _, name := range procinspect.AllRules {
		rules = append(rules, k.Rule(name))
	}
	k.Rules = rules
	return k
}

// identity reads what keys a profile: uname and the boot ID.
func identity() *procinspect.Kernel {
	k := &procinspect.Kernel{}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		k.Release, k.Version = unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:])
	}
	if b, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil {
		k.BootID = strings.TrimSpace(string(b))
	}
	return k
}

// namespaceAttr chooses how helpers get a PID namespace of their own.
func namespaceAttr() (*syscall.SysProcAttr, string, error) {
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		return attr, "as root, helper inits in new PID namespaces (CLONE_NEWPID)", nil
	}
	uid, gid := os.Getuid(), os.Getgid()
	attr.Cloneflags |= syscall.CLONE_NEWUSER
	attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
	attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
	attr.GidMappingsEnableSetgroups = false
	return attr, fmt.Sprintf("as uid %d, helper inits in new user and PID namespaces", uid), nil
}

// helper is one running helper init.
type helper struct {
	pid     int
	pidfd   int // -1 when pidfd_open failed
	pidfdOK procinspect.Rule
	reaped  bool
	ws      unix.WaitStatus
}

// startHelper starts the running binary as a helper init and waits until
// it is ready.
func startHelper(attr *syscall.SysProcAttr, mode string) (*helper, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		w.Close()
		return nil, err
	}
	defer devnull.Close()
	var stderr bytes.Buffer
	er, ew, err := os.Pipe()
	if err != nil {
		w.Close()
		return nil, err
	}
	defer er.Close()
	helpersStarted.Add(1)
	pid, err := syscall.ForkExec("/proc/self/exe", []string{"sigview-probe", helperArg, mode},
		&syscall.ProcAttr{Files: []uintptr{devnull.Fd(), w.Fd(), ew.Fd()}, Sys: attr, Env: []string{}})
	w.Close()
	ew.Close()
	if err != nil {
		return nil, fmt.Errorf("start a helper init in a new PID namespace: %w", err)
	}
	h := &helper{pid: pid, pidfd: -1}
	h.openPidfd()
	r.SetReadDeadline(time.Now().Add(readyTimeout))
	buf := make([]byte, 6)
	n, rerr := r.Read(buf)
	if string(buf[:n]) != "ready\n" {
		er.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		stderr.ReadFrom(er)
		h.close()
		return nil, fmt.Errorf("the helper init did not become ready (%v): %s", rerr, strings.TrimSpace(stderr.String()))
	}
	return h, nil
}

// openPidfd opens a pidfd for the helper and records whether pidfd_open
// works on this kernel.
func (h *helper) openPidfd() {
	fd, err := unix.PidfdOpen(h.pid, 0)
	switch {
	case err == nil:
		h.pidfd = fd
		h.pidfdOK = rule(procinspect.RulePidfdOpen, true, "pidfd_open on a helper init returned a descriptor")
	case errors.Is(err, unix.ENOSYS):
		h.pidfdOK = rule(procinspect.RulePidfdOpen, false, "pidfd_open returned ENOSYS (Linux 5.3 or later has it)")
	default:
		h.pidfdOK = procinspect.Rule{Name: procinspect.RulePidfdOpen, How: "pidfd_open on a helper init failed: " + err.Error()}
	}
}

// send sends sig from the probe's own namespace, an ancestor of the
// helper's: through the pidfd when there is one, else with kill(2).
func (h *helper) send(sig unix.Signal) (procinspect.Rule, error) {
	if h.pidfd < 0 {
		return procinspect.Rule{Name: procinspect.RulePidfdSendSignal, How: "not tried: no pidfd"}, unix.Kill(h.pid, sig)
	}
	err := unix.PidfdSendSignal(h.pidfd, sig, nil, 0)
	switch {
	case err == nil:
		return rule(procinspect.RulePidfdSendSignal, true, "pidfd_send_signal to a helper init returned 0"), nil
	case errors.Is(err, unix.ENOSYS):
		return rule(procinspect.RulePidfdSendSignal, false, "pidfd_send_signal returned ENOSYS"), unix.Kill(h.pid, sig)
	}
	return procinspect.Rule{Name: procinspect.RulePidfdSendSignal, How: "pidfd_send_signal failed: " + err.Error()}, err
}

// poll reaps the helper if it has ended.
func (h *helper) poll() bool {
	if h.reaped {
		return true
	}
	pid, err := unix.Wait4(h.pid, &h.ws, unix.WNOHANG|unix.WALL, nil)
	if err == nil && pid == h.pid && (h.ws.Exited() || h.ws.Signaled()) {
		h.reaped = true
	}
	return h.reaped
}

// pending reports whether sig is pending for the helper (shared or in any
// thread), and how many threads it has. A pending SIGKILL counts as
// pending too: the fatal fast path queues SIGKILL on every thread, so a
// helper that is being killed, but has not died yet on a loaded machine,
// is never taken for one that dropped the signal.
func (h *helper) pending(sig unix.Signal) (pending bool, threads int, err error) {
	dir := "/proc/" + strconv.Itoa(h.pid)
	b, err := os.ReadFile(dir + "/status")
	if err != nil {
		return false, 0, err
	}
	st, err := procinspect.ParseStatus(b)
	if err != nil {
		return false, 0, err
	}
	s := procinspect.Signal(sig)
	k := procinspect.Signal(unix.SIGKILL)
	pending = st.ShdPnd.Has(s) || st.SigPnd.Has(s) || st.ShdPnd.Has(k) || st.SigPnd.Has(k)
	tasks, _ := os.ReadDir(dir + "/task")
	for _, t := range tasks {
		if b, err := os.ReadFile(dir + "/task/" + t.Name() + "/status"); err == nil {
			if ts, err := procinspect.ParseStatus(b); err == nil && (ts.SigPnd.Has(s) || ts.SigPnd.Has(k)) {
				pending = true
			}
		}
	}
	return pending, st.Threads.V, nil
}

// close kills the helper if it still runs and releases its pidfd.
func (h *helper) close() {
	h.kill()
	if h.pidfd >= 0 {
		unix.Close(h.pidfd)
		h.pidfd = -1
	}
}

// kill ends the helper (SIGKILL from an ancestor namespace is forced) and
// reaps it.
func (h *helper) kill() {
	if !h.reaped {
		unix.Kill(h.pid, unix.SIGKILL)
		for !h.reaped {
			if _, err := unix.Wait4(h.pid, &h.ws, unix.WALL, nil); err != nil && !errors.Is(err, unix.EINTR) {
				break
			}
			h.reaped = h.ws.Exited() || h.ws.Signaled()
		}
	}
}

// exitInfo checks PIDFD_INFO_EXIT on a reaped helper against its wait
// status.
func (h *helper) exitInfo() procinspect.Rule {
	if h.pidfd < 0 || !h.reaped {
		return procinspect.Rule{Name: procinspect.RulePidfdInfoExit, How: "not tried: no pidfd for a reaped helper"}
	}
	info := unix.PidfdInfo{Mask: unix.PIDFD_INFO_EXIT}
	err := unix.IoctlPidfdInfo(h.pidfd, &info)
	switch {
	case err == nil && info.Mask&unix.PIDFD_INFO_EXIT != 0 && unix.WaitStatus(info.Exit_code) == h.ws:
		return rule(procinspect.RulePidfdInfoExit, true, fmt.Sprintf("PIDFD_GET_INFO gave a reaped helper's exit status %#x, as wait4 did", info.Exit_code))
	case err == nil && info.Mask&unix.PIDFD_INFO_EXIT != 0:
		return procinspect.Rule{Name: procinspect.RulePidfdInfoExit, How: fmt.Sprintf("PIDFD_GET_INFO gave exit status %#x, wait4 %#x", info.Exit_code, uint32(h.ws))}
	case err == nil, errors.Is(err, unix.ENOTTY), errors.Is(err, unix.EINVAL):
		return rule(procinspect.RulePidfdInfoExit, false, "PIDFD_GET_INFO has no PIDFD_INFO_EXIT here (Linux 6.15 or later has it)")
	}
	return procinspect.Rule{Name: procinspect.RulePidfdInfoExit, How: "PIDFD_GET_INFO failed: " + err.Error()}
}

func rule(name procinspect.RuleName, v bool, how string) procinspect.Rule {
	return procinspect.Rule{Name: name, Value: procinspect.KnownFlag(v), How: how}
}

// fastPath measures complete_signal's fatal fast path at a multi-threaded
// init whose main thread blocks sig while its other threads do not
// (docs/kernel-signals.md §11.1 row 18). It also reports the pidfd rules
// when withPidfd is set.
func fastPath(attr *syscall.SysProcAttr, sig unix.Signal, name procinspect.RuleName, withPidfd bool) []procinspect.Rule {
	unknown := func(why string) []procinspect.Rule {
		out := []procinspect.Rule{{Name: name, How: why}}
		if withPidfd {
			for _, n := range []procinspect.RuleName{procinspect.RulePidfdOpen, procinspect.RulePidfdSendSignal, procinspect.RulePidfdInfoExit} {
				out = append(out, procinspect.Rule{Name: n, How: why})
			}
		}
		return out
	}
	h, err := startHelper(attr, modeLeaderBlocks)
	if err != nil {
		return unknown(err.Error())
	}
	defer h.close()
	_, threads, err := h.pending(sig)
	if err != nil {
		return unknown("reading the helper init's status: " + err.Error())
	}
	what := fmt.Sprintf("a %d-thread helper init whose main thread blocks %s, with the default action, got %s from the host", threads, procinspect.Signal(sig), procinspect.Signal(sig))
	sent := time.Now()
	sendRule, err := h.send(sig)
	if err != nil {
		return unknown("sending " + procinspect.Signal(sig).String() + " to the helper init: " + err.Error())
	}
	out := []procinspect.Rule{{Name: name, How: what + ": neither died nor dropped it within " + decideTimeout.String()}}
	var clearSince time.Time
	for time.Since(sent) < decideTimeout {
		if h.poll() {
			if h.ws.Signaled() && h.ws.Signal() == sig {
				out[0] = rule(name, true, fmt.Sprintf("%s: it died of signal %d after %.1f ms", what, sig, ms(time.Since(sent))))
			} else {
				out[0].How = fmt.Sprintf("%s: it ended with wait status %#x", what, uint32(h.ws))
			}
			break
		}
		pending, _, err := h.pending(sig)
		switch {
		case err != nil:
		case pending:
			clearSince = time.Time{}
		case clearSince.IsZero():
			clearSince = time.Now()
		case time.Since(clearSince) >= settle && !h.poll():
			out[0] = rule(name, false, fmt.Sprintf("%s: still alive %.0f ms later with nothing pending (dequeued and dropped)", what, ms(time.Since(sent))))
		}
		if out[0].Value.Known {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if !withPidfd {
		return out
	}
	h.kill()
	return append(out, h.pidfdOK, sendRule, h.exitInfo())
}

// traced measures what a signal with the default action does to a traced
// init when the tracer passes it on (PTRACE_CONT with the signal): the
// probe seizes the helper's main thread, sends SIGTERM, and passes it on
// from the signal-delivery stop (docs/kernel-signals.md §11.2).
func traced(attr *syscall.SysProcAttr) procinspect.Rule {
	name := procinspect.RuleTracedPassOnKillsInit
	unknown := func(why string) procinspect.Rule { return procinspect.Rule{Name: name, How: why} }
	res := make(chan procinspect.Rule, 1)
	go func() {
		// Every ptrace request must come from the tracer thread. The thread
		// stays locked, and is discarded when this goroutine ends.
		runtime.LockOSThread()
		h, err := startHelper(attr, modeDefault)
		if err != nil {
			res <- unknown(err.Error())
			return
		}
		defer h.close()
		if err := unix.PtraceSeize(h.pid); err != nil {
			res <- unknown("PTRACE_SEIZE of a helper init: " + err.Error())
			return
		}
		// The helper is a Go program with several threads and the probe
		// traces only its main thread (as strace -p without -f does). A
		// process-wide SIGTERM could be dequeued by an untraced thread and
		// dropped there, out of the tracer's sight, so it is sent to the
		// traced thread itself; get_signal's init check is the same for
		// either queue.
		what := "a traced helper init with the default action for SIGTERM got SIGTERM from the host (tgkill to its traced main thread) and its tracer passed it on"
		sent := time.Now()
		if err := unix.Tgkill(h.pid, h.pid, unix.SIGTERM); err != nil {
			res <- unknown("sending SIGTERM to the traced helper: " + err.Error())
			return
		}
		passed := false
		var clearSince time.Time
		for time.Since(sent) < decideTimeout {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(h.pid, &ws, unix.WNOHANG|unix.WALL, nil)
			if err != nil && !errors.Is(err, unix.EINTR) {
				res <- unknown("wait4 on the traced helper: " + err.Error())
				return
			}
			if pid == h.pid {
				switch {
				case ws.Exited() || ws.Signaled():
					h.reaped, h.ws = true, ws
					if passed && ws.Signaled() && ws.Signal() == unix.SIGTERM {
						res <- rule(name, true, fmt.Sprintf("%s: it died of signal 15 after %.1f ms", what, ms(time.Since(sent))))
					} else {
						res <- unknown(fmt.Sprintf("%s: it ended with wait status %#x", what, uint32(ws)))
					}
					return
				case ws.Stopped():
					// A signal-delivery stop: pass the signal on, as strace does.
					if ws.StopSignal() == unix.SIGTERM {
						passed = true
					}
					unix.PtraceCont(h.pid, int(ws.StopSignal()))
					continue
				}
			}
			if passed {
				pending, _, err := h.pending(unix.SIGTERM)
				switch {
				case err != nil || pending:
					clearSince = time.Time{}
				case clearSince.IsZero():
					clearSince = time.Now()
				case time.Since(clearSince) >= settle:
					res <- rule(name, false, fmt.Sprintf("%s: still alive %.0f ms later with nothing pending (get_signal dropped it)", what, ms(time.Since(sent))))
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
		if !passed {
			res <- unknown(what[:strings.Index(what, " and its tracer")] + ": the tracer never saw it within " + decideTimeout.String())
			return
		}
		res <- unknown(what + ": neither died nor dropped it within " + decideTimeout.String())
	}()
	return <-res
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
