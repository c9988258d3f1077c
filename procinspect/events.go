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
//     events were lost), makes that rescan list; after a loss (and when
//     the snapshot built on missed events another took) the rescan also
//     reads every process's status again, as a scan with Scanner.Names
//     does: a process whose exec or exit was in the lost events would
//     otherwise keep its old name, or, a zombie read before as alive,
//     stay in the listings derived later after its reaping (which comes
//     without an event) until a check found it and gave up on the events;
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
	// lost: events were lost (ENOBUFS, a malformed message, exited
	// forgotten) since the last listing that read every process again.
	lost   bool
	broken string
	buf    []byte
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
