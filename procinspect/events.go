package procinspect

// Process events (the kernel's process events connector: netlink
// NETLINK_CONNECTOR, CN_IDX_PROC). Subscribed with PROC_CN_MCAST_LISTEN, the
// kernel sends a message for every fork, exec, exit, and change of name
// (comm), user, group, session, tracer, or core dump, of every task, with
// its PID and thread-group ID as the initial PID namespace numbers them.
//
// With Scanner.Events, a rescan does not list /proc: the processes of the
// last snapshot that no event named since are the same processes (only an
// exit frees a PID, and an exit is an event), and a PID an event named is
// looked up again (stat /proc/PID: its inode, reuse.go) and has its status
// read again (an exec's new name and masks) or, when new, is read in full.
//
// When it is used, and when not (the rescan then lists /proc, as without):
//   - it needs CAP_NET_ADMIN in the initial user namespace, and sigview in
//     the initial PID namespace reading that namespace's procfs (the
//     kernel numbers events there, and ignores a subscription from any
//     other namespace without a word: OpenEvents waits for the kernel's
//     acknowledgement and fails without it);
//   - the snapshot a rescan builds on must be the one built after the last
//     drain of the socket (Snapshot.evGen), else events were consumed for
//     another: the rescan lists;
//   - a receive error, ENOBUFS included (the socket's buffer overflowed:
//     events were lost), makes that rescan list;
//   - every verifyEvery-th rescan lists anyway and checks that every PID
//     the listing and the events disagree on was named by an event since
//     or is by the next take: if not, the kernel stopped sending (before
//     6.6, any PROC_CN_MCAST_IGNORE stopped the events for every listener),
//     and the events are not used again (Events.Broken says why).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/nsutil"
)

// The connector's constants (linux/connector.h, linux/cn_proc.h).
const (
	cnIdxProc        = 1
	cnValProc        = 1
	procCnMcastListn = 1
	procCnMcastIgnor = 2
	procEventNone    = 0x00000000
	procEventFork    = 0x00000001
	procEventExec    = 0x00000002
	procEventExit    = 0x80000000
	cnMsgLen         = 20 // struct cn_msg: id (idx, val), seq, ack, len, flags
	procEventHdr     = 16 // struct proc_event: what, cpu, timestamp_ns
	verifyEvery      = 30
	maxExited        = 1 << 16
	eventsRcvBuf     = 8 << 20
)

// Events receives the kernel's process events for Scanner.Events.
type Events struct {
	mu      sync.Mutex
	fd      int
	gen     uint64       // drains so far
	pending map[int]bool // named since the last drain handed out
	// exited are the processes whose leader's exit was reported and that
	// were still there when last looked up (zombies): a process is reaped
	// without an event, so they are named by every take until they are
	// gone.
	exited  map[int]bool
	takes   int
	derived int // rescans whose listing the events gave
	// suspect are the PIDs a check found the listing and the events
	// disagree on without an event: named again by the next take, which
	// gives up on the events unless an event named each of them by then
	// (the kernel attaches a new PID before it sends the fork, and frees
	// an exited one without a word about the reaping: a listing can fall
	// in between). suspectWhy says what the check found.
	suspect    map[int]bool
	suspectWhy string
	broken     string
	buf        []byte
	// listening: a PROC_CN_MCAST_LISTEN was sent on fd (the kernel may
	// count it even when its acknowledgement did not come).
	listening bool
	ignoreSeq uint32 // the cn_msg ack of the IGNORE sent, 0 before
}

// ignores numbers the IGNORE messages of this process. An IGNORE's cn_msg
// ack is PID<<10 | 0x200 | n (the LISTEN's PID<<10 | 0x100); the kernel's ack,
// broadcast to every listener, carries ack+1 (its seq is the kernel's own
// counter, not ours).
var ignores atomic.Uint32

// OpenEvents subscribes to the kernel's process events. It fails when the
// connector is not there (CONFIG_PROC_EVENTS off), sigview may not listen
// (no CAP_NET_ADMIN), or the kernel does not acknowledge the subscription
// (sigview outside the initial PID or user namespace).
func OpenEvents() (*Events, error) {
	if id, err := nsutil.ParsePath("/proc/self/ns/pid", true); err != nil || !id.IsInitial() {
		return nil, errors.New("process events connector: sigview is not in the initial PID namespace, whose PIDs the events carry")
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_CONNECTOR)
	if err != nil {
		return nil, fmt.Errorf("process events connector: socket: %w", err)
	}
	e := &Events{fd: fd, buf: make([]byte, 64<<10), exited: map[int]bool{}}
	if err := e.subscribe(); err != nil {
		// The kernel may have counted the listener without its
		// acknowledgement reaching us: unsubscribe all the same.
		e.closeLocked()
		return nil, fmt.Errorf("process events connector: %w", err)
	}
	return e, nil
}

// control sends the connector operation op (listen or ignore) with the
// cn_msg ack number ack; the kernel's acknowledgement carries ack+1.
// The kernel handles it in the sender's context: done when sendto returns.
func (e *Events) control(op, ack uint32) error {
	msg := make([]byte, unix.SizeofNlMsghdr+cnMsgLen+4)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.NLMSG_DONE)
	ne.PutUint32(msg[12:], uint32(os.Getpid()))
	c := msg[unix.SizeofNlMsghdr:]
	ne.PutUint32(c[0:], cnIdxProc)
	ne.PutUint32(c[4:], cnValProc)
	ne.PutUint32(c[12:], ack)
	ne.PutUint16(c[16:], 4)
	ne.PutUint32(c[cnMsgLen:], op)
	return unix.Sendto(e.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
}

func (e *Events) subscribe() error {
	if err := unix.Bind(e.fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: cnIdxProc}); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	// A burst between two rescans must fit, or it is lost (ENOBUFS).
	if unix.SetsockoptInt(e.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, eventsRcvBuf) != nil {
		unix.SetsockoptInt(e.fd, unix.SOL_SOCKET, unix.SO_RCVBUF, eventsRcvBuf)
	}
	ne := binary.NativeEndian
	listenAck := uint32(os.Getpid())<<10 | 0x100
	if err := e.control(procCnMcastListn, listenAck); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	e.listening = true
	// The kernel acknowledges, to every listener, with a PROC_EVENT_NONE
	// with our ack+1 (which tells ours from another's) and the error; it
	// says nothing to a subscriber in another PID or user namespace. It is
	// queued before sendto returns (handled in the sender's context).
	tv := unix.NsecToTimeval(int64(50 * time.Millisecond))
	unix.SetsockoptTimeval(e.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	for deadline := time.Now().Add(250 * time.Millisecond); time.Now().Before(deadline); {
		n, _, err := unix.Recvfrom(e.fd, e.buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) || errors.Is(err, unix.ENOBUFS) {
				continue
			}
			return fmt.Errorf("receive: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(e.buf[:n])
		if err != nil {
			continue
		}
		for _, m := range msgs {
			d := m.Data
			if len(d) < cnMsgLen+procEventHdr+4 || ne.Uint32(d[0:]) != cnIdxProc || ne.Uint32(d[12:]) != listenAck+1 || ne.Uint32(d[cnMsgLen:]) != procEventNone {
				continue
			}
			if errno := ne.Uint32(d[cnMsgLen+procEventHdr:]); errno != 0 {
				return fmt.Errorf("subscribe: %w", syscall.Errno(errno))
			}
			return nil
		}
	}
	return errors.New("the kernel did not acknowledge the subscription (sigview is not in the initial PID and user namespaces)")
}

// Close unsubscribes: it sends PROC_CN_MCAST_IGNORE, then closes the
// socket. Closing alone is not enough: the kernel counts listeners
// (proc_event_num_listeners, drivers/connector/cn_proc.c), LISTEN adds one,
// only IGNORE on the same socket takes it away, and a socket's release does
// not; while the count is above 0 the kernel builds a connector message for
// every fork, exec and exit of the machine. A sigview killed before Close
// (SIGKILL) leaves its count: until the first event that finds no socket
// listening (kernels with commit c46bfba1337d reset it then), or until
// reboot (older kernels).
func (e *Events) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closeLocked()
}

func (e *Events) closeLocked() error {
	if e.fd < 0 {
		return nil
	}
	var err error
	if e.listening {
		e.ignoreSeq = uint32(os.Getpid())<<10 | (ignores.Add(1)&0x3ff | 0x200)
		err = e.control(procCnMcastIgnor, e.ignoreSeq)
		e.listening = false
	}
	if cerr := unix.Close(e.fd); err == nil {
		err = cerr
	}
	e.fd = -1
	clear(e.exited)
	return err
}

// Broken says why the events are no longer used ("" while they are).
func (e *Events) Broken() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.broken
}

// take drains the socket: the thread-group IDs the events named since the
// last take, with that take's generation (gen-1 is the previous take's).
// ok is false when they cannot be trusted (events lost, the socket
// failed, or no longer used); verify is set every verifyEvery-th take.
func (e *Events) take() (gen uint64, named map[int]bool, ok, verify bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	named, e.pending = e.pending, nil
	if named == nil {
		named = map[int]bool{}
	}
	ok = e.drain(named)
	if len(e.suspect) > 0 && e.broken == "" {
		e.broken = e.suspectWhy
		e.closeLocked()
	}
	e.suspect = nil
	if len(e.exited) > maxExited {
		// Not looked up for long (rescans listed): forgotten, this
		// rescan lists, and the zombies it reads are noted again.
		clear(e.exited)
		ok = false
	}
	for pid := range e.exited {
		named[pid] = true
	}
	e.gen++
	e.takes++
	return e.gen, named, ok && e.broken == "", e.takes%verifyEvery == 0
}

// drain adds what is queued on the socket to named; false when events
// were lost or the socket failed.
func (e *Events) drain(named map[int]bool) bool {
	if e.fd < 0 {
		return false
	}
	ok := true
	ne := binary.NativeEndian
	for {
		n, _, err := unix.Recvfrom(e.fd, e.buf, unix.MSG_DONTWAIT)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return ok
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOBUFS):
			ok = false // lost: keep draining what is there
			continue
		case err != nil:
			e.broken = "process events: receive: " + err.Error()
			e.closeLocked()
			return false
		}
		msgs, err := syscall.ParseNetlinkMessage(e.buf[:n])
		if err != nil {
			ok = false
			continue
		}
		for _, m := range msgs {
			d := m.Data
			if len(d) < cnMsgLen+procEventHdr+16 || ne.Uint32(d[0:]) != cnIdxProc {
				continue
			}
			ev := d[cnMsgLen:]
			data := ev[procEventHdr:]
			switch ne.Uint32(ev[0:]) {
			case procEventNone: // an acknowledgement
			case procEventFork:
				// parent pid, tgid, child pid, tgid: a new thread's tgid is
				// its process's.
				e.name(named, int(ne.Uint32(data[12:])))
			case procEventExit:
				pid, tgid := int(ne.Uint32(data[0:])), int(ne.Uint32(data[4:]))
				e.name(named, tgid)
				if pid == tgid {
					e.exited[tgid] = true
				}
			case procEventExec:
				// After its leader's exit event, an exec is a non-leader
				// thread's (de_thread: it takes over the PID, and the
				// process lives on): no longer exited.
				tgid := int(ne.Uint32(data[4:]))
				e.name(named, tgid)
				delete(e.exited, tgid)
			default:
				// uid, gid, sid, ptrace, comm, coredump, and any later kind:
				// process pid, tgid first.
				e.name(named, int(ne.Uint32(data[4:])))
			}
		}
	}
}

// check is a listing's check of the events: every PID that the listing
// and the entries derived from the events disagree on must be in named
// (the events of a take made after the listing), or be named by an event
// before the next take. Otherwise the kernel stopped sending, and the
// events are not used again.
func (e *Events) check(derived, listed []entry, named map[int]bool) {
	var miss []int
	came := 0
	i, j := 0, 0
	for i < len(derived) || j < len(listed) {
		switch {
		case j == len(listed) || i < len(derived) && derived[i].pid < listed[j].pid:
			if !named[derived[i].pid] {
				miss = append(miss, derived[i].pid)
			}
			i++
		case i == len(derived) || listed[j].pid < derived[i].pid:
			if !named[listed[j].pid] {
				miss = append(miss, listed[j].pid)
				came++
			}
			j++
		default:
			i, j = i+1, j+1
		}
	}
	if len(miss) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.broken != "" {
		return
	}
	// Put back: named by the next take, which gives up unless an event
	// came for each by then.
	e.suspect = map[int]bool{}
	if e.pending == nil {
		e.pending = map[int]bool{}
	}
	for _, pid := range miss {
		e.suspect[pid] = true
		e.pending[pid] = true
	}
	e.suspectWhy = fmt.Sprintf("process events: %d processes came and %d went without an event (%v), still none at the next take: rescans list /proc", came, len(miss)-came, miss[:min(len(miss), 8)])
}

// name notes that an event named pid: it is no longer suspect.
func (e *Events) name(named map[int]bool, pid int) {
	named[pid] = true
	delete(e.suspect, pid)
}

// zombies notes the processes of snap that had exited when read (a
// zombie, or dying): their exit may have come before the subscription, or
// before the take this snapshot follows, and their reaping comes without an
// event; they are named until they are gone (exited).
func (e *Events) zombies(snap *Snapshot) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range snap.Processes {
		if s := p.Status.State; s == 'Z' || s == 'X' {
			e.exited[p.PID] = true
		}
	}
}

// forget drops PIDs found to be threads (a PID an exit event freed, reused
// as a thread's ID: /proc/TID can be looked up though it is not listed).
func (e *Events) forget(pids []int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, pid := range pids {
		delete(e.exited, pid)
	}
}

// putBack hands named to the next take (a listing was made between two
// takes: what the second named may have happened after the listing).
func (e *Events) putBack(named map[int]bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending == nil {
		e.pending = map[int]bool{}
	}
	for pid := range named {
		e.pending[pid] = true
	}
}

// usable reports whether the events number the processes of the procfs fs
// reads: a live procfs of the initial PID namespace, read from it.
func eventsUsable(fs FS, v Viewer) bool {
	if !fs.Live || !v.Initial.Known || !v.Initial.V {
		return false
	}
	self, err := os.Readlink(fs.Root + "/self")
	return err == nil && self == strconv.Itoa(os.Getpid())
}

// derive is the listing the events stand for: prev's entries that no event
// named, and each named PID that exists now, with its inode (lstat
// /proc/PID: the inode the listing would report). Sorted by PID. An exited
// process found gone is forgotten.
func (e *Events) derive(root string, prev []entry, named map[int]bool) []entry {
	out := make([]entry, 0, len(prev)+len(named))
	for _, en := range prev {
		if !named[en.pid] {
			out = append(out, en)
		}
	}
	added, gone := false, []int(nil)
	for pid := range named {
		var st unix.Stat_t
		if pid <= 0 || unix.Lstat(root+"/"+strconv.Itoa(pid), &st) != nil {
			gone = append(gone, pid)
			continue
		}
		out = append(out, entry{pid: pid, ino: st.Ino})
		added = true
	}
	if added {
		sortEntries(out)
	}
	if len(gone) > 0 {
		e.mu.Lock()
		for _, pid := range gone {
			delete(e.exited, pid)
		}
		e.mu.Unlock()
	}
	return out
}

// list lists the procfs, or derives the listing from the process events;
// named is what the events named since the last snapshot (nil without
// events), whose status the rescan reads again.
func (sc Scanner) list(fs FS, snap *Snapshot) (ents []entry, named map[int]bool, err error) {
	ev := sc.Events
	if ev == nil || !fs.Live {
		ents, err = listProcs(fs.Root)
		return ents, nil, err
	}
	gen, named, ok, verify := ev.take()
	prev := sc.prevFor(fs)
	if !eventsUsable(fs, snap.Viewer) {
		// Another namespace's PIDs: never of use to this scanner.
		ev.Close()
		ents, err = listProcs(fs.Root)
		return ents, nil, err
	}
	derived := ok && prev != nil && prev.evGen != 0 && prev.evGen == gen-1
	if derived && !verify {
		snap.ents, snap.evGen = ev.derive(fs.Root, prev.ents, named), gen
		ev.mu.Lock()
		ev.derived++
		ev.mu.Unlock()
		return snap.ents, named, nil
	}
	if ents, err = listProcs(fs.Root); err != nil {
		return nil, nil, err
	}
	snap.ents, snap.evGen = ents, gen
	if derived {
		// The check: what the listing and the events disagree on must have
		// been named since (the events of a take after the listing, which
		// the next take names again).
		want := ev.derive(fs.Root, prev.ents, named)
		gen2, named2, ok2, _ := ev.take()
		if ok2 {
			ev.check(want, ents, named2)
			ev.putBack(named2)
			snap.evGen = gen2
		} else {
			snap.evGen = 0
		}
	}
	// What the events named before the listing has its status read again
	// all the same (an exec's new name).
	return ents, named, nil
}
