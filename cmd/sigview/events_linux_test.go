package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/internal/nstest"
)

// cnSocket is the test's own process events subscription (netlink
// connector, CN_IDX_PROC), to watch the kernel's acknowledgements.
type cnSocket struct{ fd int }

func cnControl(fd int, op, ack uint32) error {
	msg := make([]byte, unix.SizeofNlMsghdr+20+4)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.NLMSG_DONE)
	ne.PutUint32(msg[12:], uint32(os.Getpid()))
	c := msg[unix.SizeofNlMsghdr:]
	ne.PutUint32(c[0:], 1) // CN_IDX_PROC
	ne.PutUint32(c[4:], 1) // CN_VAL_PROC
	ne.PutUint32(c[12:], ack)
	ne.PutUint16(c[16:], 4)
	ne.PutUint32(c[20:], op)
	return unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
}

func openCN(t *testing.T) *cnSocket {
	t.Helper()
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_CONNECTOR)
	if err != nil {
		nstest.Skip(t, "proc-events", "no netlink connector: %v", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1}); err != nil {
		unix.Close(fd)
		nstest.Skip(t, "proc-events", "cannot listen to the process events: %v", err)
	}
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
	if err := cnControl(fd, 1, 0x7e57); err != nil { // PROC_CN_MCAST_LISTEN
		unix.Close(fd)
		t.Fatal(err)
	}
	s := &cnSocket{fd: fd}
	t.Cleanup(func() {
		cnControl(fd, 2, 0x7e58) // PROC_CN_MCAST_IGNORE: leave no listener counted
		unix.Close(fd)
	})
	if errno, ok := nstest.WaitCNAck(t, s.fd, 0x7e57+1, 2*time.Second); !ok || errno != 0 {
		nstest.Skip(t, "proc-events", "the kernel did not acknowledge the test's subscription (%v, %v)", ok, errno)
	}
	return s
}

// TestUIHangupUnsubscribes: the live UI on a terminal that hangs up
// (SIGHUP, which Bubble Tea does not handle) ends through its normal exit,
// so its process events subscription is closed with PROC_CN_MCAST_IGNORE
// (the kernel counts listeners; closing the socket does not uncount) and
// it exits 129. The test watches, from its own subscription, for the
// kernel's acknowledgement of sigview's IGNORE: sigview numbers it
// PID<<10 | 0x201 (procinspect/events.go), the kernel answers ack+1.
func TestUIHangupUnsubscribes(t *testing.T) {
	nstest.NeedNamespaces(t)
	tl := buildTools(t)
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pts.Close()
	unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120})
	cmd := exec.Command(tl.sigview)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // the sigview this test started, by its PID
	var mu sync.Mutex
	var screen bytes.Buffer
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	// Drawn: the subscription is made before the UI starts.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		drawn := bytes.Contains(screen.Bytes(), []byte("PID"))
		mu.Unlock()
		if drawn {
			break
		}
		if time.Now().After(deadline) {
			mu.Lock()
			t.Fatalf("the UI did not draw within 20 s: %q", screen.String())
		}
	}
	// The test's own subscription is made only now: opened before the
	// build and the draw, its buffer could fill with other processes'
	// events and drop the acknowledgement it waits for (review 3).
	cn := openCN(t)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("sigview did not end within 10 s of SIGHUP")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+int(syscall.SIGHUP) {
		t.Errorf("sigview after SIGHUP: %v, want exit status 129", err)
	}
	want := uint32(cmd.Process.Pid)<<10 | 0x201
	errno, ok := nstest.WaitCNAck(t, cn.fd, want+1, 3*time.Second)
	if !ok {
		t.Fatal("no acknowledgement of sigview's PROC_CN_MCAST_IGNORE: the hangup left its listener counted")
	}
	if errno != 0 {
		t.Fatalf("the kernel refused sigview's IGNORE: %v", errno)
	}
}
