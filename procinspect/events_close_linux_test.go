package procinspect

import (
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// TestEventsCloseUnsubscribes: Close sends PROC_CN_MCAST_IGNORE before it
// closes the socket, and the kernel acknowledges it (err 0). The kernel
// counts listeners (cn_proc.c proc_event_num_listeners): LISTEN adds one,
// only IGNORE on the same socket takes it away, closing the socket does
// not. The acknowledgement goes to the sockets still listening (not to the
// one that sent IGNORE, and not at all when none is left), so a second
// subscription watches for it: a cn_msg ack of the IGNORE's ack + 1.
func TestEventsCloseUnsubscribes(t *testing.T) {
	nstest.NeedNamespaces(t)
	a, err := OpenEvents()
	if err != nil {
		nstest.Skip(t, "proc-events", "the process events connector is not usable here: %v", err)
	}
	defer a.Close()
	b, err := OpenEvents()
	if err != nil {
		t.Fatalf("a second subscription: %v", err)
	}
	defer b.Close()
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if a.ignoreSeq == 0 {
		t.Fatal("Close sent no PROC_CN_MCAST_IGNORE: the kernel still counts the listener")
	}
	if a.fd != -1 {
		t.Errorf("Close left the socket open")
	}
	errno, ok := nstest.WaitCNAck(t, b.fd, a.ignoreSeq+1, 3*time.Second)
	if ok && errno != 0 {
		t.Fatalf("the kernel refused the IGNORE: %v", errno)
	}
	if ok {
		return
	}
	t.Fatalf("no acknowledgement of Close's PROC_CN_MCAST_IGNORE (ack %#x) reached the other subscription", a.ignoreSeq+1)
}
