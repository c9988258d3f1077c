package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
	"github.com/sigview/sigview/procinspect/sigtrace"
	"github.com/sigview/sigview/procinspect/watch"
	"github.com/sigview/sigview/ui"
)

// defaultWatchInterval is how often watch rescans for its predictions: a
// scan costs 20-60 ms of CPU on a machine with a few hundred processes, and
// the watch should cost next to nothing while no signal flows. A signal to
// a process the last scan missed brings the next scan forward (at most one
// a second).
const (
	defaultWatchInterval = 30 * time.Second
	minRescanGap         = time.Second
)

var watchCommand = &command{
	name:     "watch",
	synopsis: "watch [flags] [TARGET...]",
	summary:  "the signal flight recorder: every signal to an init, its sender, what the kernel did",
	about: "watch streams, one line each as they happen, the signals the kernel generates for every PID " +
		"namespace's init (or for each TARGET: a host PID, or a PID namespace's inode or a container's name " +
		"or ID prefix, as explain takes them, for every process in it): the sender and where it stood (inside the namespace, on the host, or the kernel itself), " +
		"the kernel's result (delivered, ignored, already_pending, overflow, lose_info), what happened at " +
		"delivery, the target's fate, and whether sigview's prediction from its last scan before the " +
		"signal agreed. What is learnt later follows as an update line naming the event's #id. It reads " +
		"the kernel with a BPF program on the signal tracepoints that goes away when watch exits; it needs " +
		"root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF. It sends no signal. It runs Go code on one " +
		"thread at a time (it costs less so) unless GOMAXPROCS is set in its environment.",
	exit: "exit status: 0 stopped by SIGINT, SIGTERM or SIGHUP; 1 the recorder cannot run here (the reason " +
		"and what would make it work on stderr), a runtime error, or stopped with output stdout did not take " +
		"within 1 s (dropped, as stderr says: the last line written may be cut); 2 usage error.",
	flags: []cmdFlag{
		{"json", "one JSON object per line (docs/json.md): events, and updates carrying the id they complete"},
		{"all", "every process, not only the namespaces' inits (SIGCHLD only with -s CHLD)"},
		{"signal", "only this signal (default: every signal but SIGCHLD)"},
		{"interval", fmt.Sprintf("how often to rescan for the predictions (default %s; at least 100ms)", defaultWatchInterval)},
		procFlag, noMemFlag, noProbeFlag,
	},
	defaults: func(o *options) {
		o.signal = ""
		o.interval = defaultWatchInterval
	},
	run: runWatch,
}

// maxNSPID is the largest PID Linux gives (PID_MAX_LIMIT); a larger TARGET
// is a namespace inode.
const maxNSPID = 1 << 22

// resolveContainer turns a TARGET that is neither a PID nor a namespace
// inode into namespace inodes (a container's name or ID prefix; set in
// explain.go, from procinspect's Resolve).
var resolveContainer func(snap *procinspect.Snapshot, name string) ([]uint64, error)

// watchTargets reads the TARGET arguments.
func watchTargets(c *command, o options, args []string, snap func() (*procinspect.Snapshot, error)) (sigtrace.Options, error) {
	var t sigtrace.Options
	for _, a := range args {
		n, err := strconv.ParseUint(strings.TrimPrefix(a, "pidns:"), 10, 64)
		switch {
		case err == nil && n > 0 && n <= maxNSPID && !strings.HasPrefix(a, "pidns:"):
			if _, err := os.Lstat(filepath.Join(o.proc, strconv.FormatUint(n, 10))); err != nil {
				return t, fmt.Errorf("watch: TARGET %d: no such process in %s", n, o.proc)
			}
			if why := notInitialPIDNS(o.proc); why != "" {
				return t, fmt.Errorf("watch: TARGET %d: %s; the kernel's recorder keys on the PIDs of the initial PID namespace, "+
					"so %d there may be another process: name its PID namespace instead (pidns:INODE, or a container), "+
					"or run sigview with the host's /proc", n, why, n)
			}
			t.PIDs = append(t.PIDs, int(n))
		case err == nil && n > 0:
			t.PIDNS = append(t.PIDNS, n)
		case resolveContainer != nil:
			s, err := snap()
			if err != nil {
				return t, err
			}
			ns, err := resolveContainer(s, a)
			if err != nil {
				return t, fmt.Errorf("watch: TARGET %s: %w", quoteArg(a), err)
			}
			t.PIDNS = append(t.PIDNS, ns...)
		default:
			return t, usageError{c, fmt.Sprintf("TARGET %s: want a PID or a PID namespace's inode (pidns:N)", quoteArg(a))}
		}
	}
	return t, nil
}

// notInitialPIDNS says why the PIDs of proc are not the initial PID
// namespace's, or "" when they are. A PID TARGET is refused rather than
// translated: a procfs numbers processes in its own namespace only
// (NSpid's first field is the PID there, never an ancestor's), so the
// global PID of a process it shows cannot be read from it. Kernel threads
// belong to the initial namespace alone: only its procfs shows kthreadd,
// PID 2 with parent 0.
func notInitialPIDNS(proc string) string {
	if !nsutil.IsProcFS(proc) {
		return proc + " is not a live procfs"
	}
	st, err := procinspect.ReadStatus(filepath.Join(proc, "2", "status"))
	switch {
	case err != nil:
		return proc + " has no PID 2 (kthreadd): it is the procfs of a PID namespace other than the initial one"
	case st.Kthread.Known && st.Kthread.V, st.Name == "kthreadd" && st.PPid.Known && st.PPid.V == 0:
		return ""
	}
	return proc + "'s PID 2 is not kthreadd: it is the procfs of a PID namespace other than the initial one"
}

func runWatch(c *command, o options, args []string, stdout, stderr io.Writer) error {
	if err := checkProcfs(o.proc); err != nil {
		return err
	}
	// deep: the PID targets, read in depth by every scan (their start
	// time tells a reused PID from the process named).
	var (
		first *procinspect.Snapshot
		deep  []int
	)
	scan := func() (*procinspect.Snapshot, error) {
		if first == nil {
			s, err := scanner(o, deep).Scan()
			if err != nil {
				return nil, err
			}
			first = s
		}
		return first, nil
	}
	opts, err := watchTargets(c, o, args, scan)
	if err != nil {
		return err
	}
	if deep = opts.PIDs; first != nil && len(deep) > 0 {
		first = nil // scanned for a container TARGET: again, with the PIDs in depth
	}
	opts.All = o.all
	opts.View = procView(o.proc)
	if o.signal != "" {
		sig, err := procinspect.ParseSignal(o.signal)
		if err != nil {
			return usageError{c, fmt.Sprintf("--signal %s: %v", quoteArg(o.signal), err)}
		}
		opts.Signal = int(sig)
	}
	rec, err := sigtrace.Open(opts)
	if err != nil {
		var un *sigtrace.Unavailable
		if errors.As(err, &un) {
			return fmt.Errorf("watch: %w", un)
		}
		return fmt.Errorf("watch: %w", err)
	}
	defer rec.Close()
	snap, err := scan()
	if err != nil {
		return err
	}
	w := watch.New()
	w.SetAssessments(predict.Assess(snap, snap.Kernel))

	watchProcs()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	go rescan(ctx, o, w, snap, deep)
	fmt.Fprintf(stderr, "sigview: watching %s (stop with Ctrl-C)\n", watchingWhat(opts))
	// Buffered, and flushed whenever no record waits: a storm of signals
	// costs one write per batch, and a lone event is printed at once.
	out := rawStdout(stdout)
	bw := bufio.NewWriterSize(out, 64<<10)
	// Once stopped, what is left is written if stdout takes it within
	// stopGrace: a reader that takes nothing (a pager that does not read)
	// does not keep watch from ending.
	if d, ok := out.(interface{ SetWriteDeadline(time.Time) error }); ok {
		defer context.AfterFunc(ctx, func() { d.SetWriteDeadline(time.Now().Add(stopGrace)) })()
	}
	write := func(it watch.Item) error { return render.WriteWatchItem(bw, it) }
	if o.json {
		var line []byte // reused: a line costs no allocation
		write = func(it watch.Item) error {
			line = document.AppendWatchLine(line[:0], it)
			_, err := bw.Write(line)
			return err
		}
	}
	var (
		werr    error
		dropped int // items not written after werr
	)
	fail := func(err error) {
		if werr == nil && err != nil {
			werr = err
			stop()
		}
	}
	runErr := w.Run(ctx, rec, func(it watch.Item) {
		if werr != nil {
			dropped++
			return
		}
		fail(write(it))
	}, func() { fail(bw.Flush()) })
	fail(bw.Flush())
	if runErr != nil {
		return fmt.Errorf("watch: %w", runErr)
	}
	if errors.Is(werr, os.ErrDeadlineExceeded) {
		// Set only once stopped: stopped as asked, with output lost (the
		// last line written may be cut): status 1, so that a reader that
		// checks it knows the stream is incomplete.
		return fmt.Errorf("watch: stdout took nothing for %v after the stop: "+
			"dropped what was not written (%d bytes and %d later lines; the last line written may be cut)",
			stopGrace, bw.Buffered(), dropped)
	}
	return werr
}

// stopGrace is how long, once watch is stopped, a write waits for stdout
// to take data before what is left is dropped.
const stopGrace = time.Second

// watchProcs runs watch on one P (one thread running Go code at a time)
// unless GOMAXPROCS in the environment says otherwise. In a storm the
// reader wakes every sigtrace.Poll; with a second P every wakeup also woke
// an idle thread to look for work (the Go scheduler's spinning thread),
// which went back to sleep finding none: context switches that were a
// fifth of watch's CPU at 1,000 signals a second (internal/stormbench,
// README). A rescan then runs one worker rather than two: it costs the
// same CPU and, every --interval, takes longer.
func watchProcs() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}

// rescan keeps the watcher's predictions fresh until ctx ends, each scan
// building on the one before (prev, then its own: it reads only what
// changed, a fifth of a full scan's CPU), deep read in depth, and so are
// the processes the watcher learnt were signalled without having been (a
// process other than an init in a watched namespace): an event for one
// brings a scan forward, and the next signal to it is predicted from its
// state. A failed scan keeps the last one.
func rescan(ctx context.Context, o options, w *watch.Watcher, prev *procinspect.Snapshot, deep []int) {
	t := time.NewTicker(o.interval)
	defer t.Stop()
	sc := scanner(o, deep)
	sc.Prev = prev
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.Stale():
			select {
			case <-ctx.Done():
				return
			case <-time.After(minRescanGap):
			}
		}
		// The PIDs named, and the processes signalled since that the
		// scans had not read in depth (at most watch.MaxLearned): read in
		// depth, but not asked for afresh (Follow: the quiet and
		// same-program shortcuts apply, the fd table only when it can
		// matter).
		sc.Follow = w.Learned()
		if s, err := sc.Scan(); err == nil {
			w.SetAssessments(predict.Assess(s, s.Kernel))
			sc.Prev = s
		}
	}
}

// initPIDNSIno is the inode of the initial PID namespace
// (PROC_PID_INIT_INO, the same on every Linux).
const initPIDNSIno = 0xEFFFFFFC

// procView is the PID namespace whose PIDs proc shows, for the recorder to
// report each process's PID in it (the scans' PIDs): the namespace of
// proc's PID 1, the init of that namespace; the initial one for a procfs
// of the initial namespace whose PID 1 cannot be read; else sigview's own
// (the zero View).
func procView(proc string) sigtrace.View {
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(proc, "1", "ns", "pid"), &st); err == nil {
		return sigtrace.View{Ino: st.Ino}
	}
	if notInitialPIDNS(proc) == "" {
		return sigtrace.View{Ino: initPIDNSIno}
	}
	return sigtrace.View{}
}

func watchingWhat(o sigtrace.Options) string {
	var what []string
	for _, p := range o.PIDs {
		what = append(what, "PID "+strconv.Itoa(p))
	}
	for _, n := range o.PIDNS {
		what = append(what, "pidns "+strconv.FormatUint(n, 10))
	}
	s := "signals to every PID namespace's init"
	switch {
	case len(what) > 0:
		s = "signals to " + strings.Join(what, ", ")
	case o.All:
		s = "signals to every process"
	}
	if o.Signal != 0 {
		s = procinspect.Signal(o.Signal).String() + strings.TrimPrefix(s, "signals")
	}
	return s
}

// startUISignals runs watch's recorder for the UI (every namespace init)
// while the UI runs, or says in uo why it cannot; the returned function
// stops it.
func startUISignals(o options, uo *ui.Options) func() {
	rec, err := sigtrace.Open(sigtrace.Options{View: procView(o.proc)})
	if err != nil {
		uo.SignalsUnavailable = strings.TrimPrefix(err.Error(), "signal log unavailable: ")
		return func() {}
	}
	sink := ui.NewSignalSink()
	uo.Signals = sink
	w := watch.New()
	// The recorder predicts from the UI's own scans, every refresh: a scan
	// of its own would double the cost at size, and an event whose target
	// the last scan missed (Stale) is met by the next refresh anyway.
	uo.OnAssess = w.SetAssessments
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx, rec, sink.Add, sink.Flush)
		close(done)
	}()
	return func() {
		cancel()
		rec.Close()
		<-done
	}
}

// uiEndingSignals are the signals whose default action would end sigview
// and that Bubble Tea does not handle (it ends the UI on SIGINT and
// SIGTERM itself): a hangup (the terminal closed), SIGQUIT, SIGUSR1,
// SIGUSR2, SIGALRM. runUI ends the UI on them instead, so that what the UI
// holds is released by the deferred closes (the process events
// subscription: the kernel counts listeners) and the terminal restored.
var uiEndingSignals = []os.Signal{syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGALRM}

// notIgnored is sigs without those this process started with ignored
// (nohup, `trap ” HUP`, a background job's SIGQUIT): signal.Notify would
// replace a disposition the person chose.
func notIgnored(sigs []os.Signal) []os.Signal {
	var out []os.Signal
	for _, s := range sigs {
		if !signal.Ignored(s) {
			out = append(out, s)
		}
	}
	return out
}
