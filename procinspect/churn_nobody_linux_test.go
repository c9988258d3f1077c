package procinspect_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/sigview/sigview/procinspect"
)

// TestRescanUnderChurnAsNobody is TestRescanUnderChurn scanned as uid
// 65534: root's processes are unreadable to it, so namespaces are
// inferred (group.go: inferNS) and named by their inits' PIDs, or by the
// inode of a process of uid 65534 born below an init (and gone again),
// and grouping follows PPid chains, which reparenting changes. The churn
// runs as PID 1 of the test's PID namespace; the scans, in this test
// binary run again as uid 65534, when PID 1 asks (a word on a pipe).
func TestRescanUnderChurnAsNobody(t *testing.T) {
	if os.Getenv("SIGVIEW_CHURN_SCANNER") != "" {
		nobodyScans(t)
		return
	}
	if os.Getenv("SIGVIEW_CHURN_INNER") != "" {
		churnInside(t)
		return
	}
	rerunChurn(t, "TestRescanUnderChurnAsNobody", "nobody", "tini", python3, "sleep", "sh", "setpriv")
}

// nobodyScanner is the scanning side of TestRescanUnderChurnAsNobody.
type nobodyScanner struct {
	t    *testing.T
	cmd  *exec.Cmd
	to   *os.File
	from *bufio.Reader
	out  bytes.Buffer
}

// startNobodyScanner starts this test binary as uid 65534 to scan (a copy
// it can run: nobodyDir), driven through two pipes, its fds 3 and 4: a
// pipe's end closes when the scanner ends, so a failed scanner is noticed
// at once.
func startNobodyScanner(t *testing.T, seed int64) *nobodyScanner {
	_, exe := nobodyDir(t)
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ackR, ackW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	n := &nobodyScanner{t: t, to: cmdW, from: bufio.NewReader(ackR)}
	n.cmd = nobodyCmd(exe, "TestRescanUnderChurnAsNobody", "SIGVIEW_CHURN_SCANNER=1", "SIGVIEW_CHURN_SEED="+strconv.FormatInt(seed, 10))
	n.cmd.ExtraFiles = []*os.File{cmdR, ackW}
	n.cmd.Stdout, n.cmd.Stderr = &n.out, &n.out
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmdR.Close()
	ackW.Close()
	t.Cleanup(func() {
		n.to.Close()
		if n.cmd.ProcessState == nil {
			n.cmd.Process.Kill()
			n.cmd.Wait()
		}
	})
	return n
}

// do asks the scanner for a rescan ("r") or the comparison at rest ("c")
// and waits until it is done.
func (n *nobodyScanner) do(what string) {
	n.t.Helper()
	if _, err := fmt.Fprintln(n.to, what); err != nil {
		n.t.Fatalf("the scanner as uid 65534: %v", err)
	}
	if line, err := n.from.ReadString('\n'); err != nil || line != "done\n" {
		n.cmd.Wait()
		n.t.Fatalf("the scanner as uid 65534 answered %q, %v:\n%s", line, err, n.out.Bytes())
	}
}

// wait ends the scanner and fails unless its test passed.
func (n *nobodyScanner) wait(t *testing.T) {
	n.to.Close()
	err := n.cmd.Wait()
	passedAsNobody(t, "TestRescanUnderChurnAsNobody", n.out.Bytes(), err)
}

// nobodyScans is the scanner as uid 65534: a rescan on "r", the
// comparison at rest on "c".
func nobodyScans(t *testing.T) {
	cmds, acks := bufio.NewReader(os.NewFile(3, "cmd")), os.NewFile(4, "ack")
	seed, _ := strconv.ParseInt(os.Getenv("SIGVIEW_CHURN_SEED"), 10, 64)
	rng := rand.New(rand.NewSource(seed))
	sc := procinspect.Scanner{Root: "/proc"}
	var inc *procinspect.Snapshot
	scans, inferred := 0, 0
	for {
		line, err := cmds.ReadString('\n')
		if err != nil {
			return
		}
		switch line {
		case "r\n":
			s := sc
			s.Deep = detailOf(inc, rng)
			inc = scanOn(t, s, inc)
			scans++
			for _, p := range inc.Processes {
				if strings.HasPrefix(p.NSNote, "named by its init") || strings.HasPrefix(p.NSNote, "inferred") {
					inferred++
				}
			}
		case "c\n":
			if inferred == 0 {
				t.Errorf("no process's namespace was inferred in %d rescans as uid 65534: inference was not tested", scans)
			}
			// How many processes' ns/pid links were read, and denied, is
			// not compared: a scan reads the link of a process whose
			// namespace no earlier process of its level settled
			// (resolveNS, in PID order), a rescan keeps the warning of
			// each process's first reading, made in another order.
			// Which processes are in which namespace is compared, and
			// that both warn of unreadable links (compareAtRest).
			compareAtRest(t, sc, inc, detailOf(inc, rng), scans, 0, false, "unreadable ns/pid")
		}
		fmt.Fprintln(acks, "done")
	}
}
