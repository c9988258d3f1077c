#!/usr/bin/env python3
"""keylat.py: keypress-to-repaint latency of sigview's live UI, end to end.

It runs SIGVIEW (default: sigview on PATH) with --interval 1s in a 160x45
pseudo-terminal, waits WARM seconds for its first scans, then N times:
presses a key at a random moment of the scan cycle and times, from the write
of the key to the terminal, until the screen output contains the text that
key brings up:
  '?'      the help screen          ("all 64 signals")
  Enter    the detail view          ("What kill does")
  s        typed into the filter    (" shown", the header's count; / opens
           the filter 0.3 s before)
then presses Esc (which also clears the filter) and waits a random 0.3-1.3 s.
It prints each kind's median, 90th percentile and maximum in milliseconds, and the load average.

usage: scripts/keylat.py [-b SIGVIEW] [-n N] [-w WARM]
"""
import argparse, os, pty, random, select, shutil, signal, struct, fcntl, tempfile, termios, time, statistics, sys

ap = argparse.ArgumentParser()
ap.add_argument("-b", default="sigview")
ap.add_argument("-n", type=int, default=20)
ap.add_argument("-w", type=float, default=8)
a = ap.parse_args()

# sigview's kernel-profile cache goes to a directory of this run's, removed
# at the end: a measurement leaves nothing in /run/sigview.
cache = tempfile.mkdtemp(prefix="keylat-")
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm-256color"
    os.environ["SIGVIEW_CACHE_DIR"] = cache
    os.execvp(a.b, [a.b, "--interval", "1s"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
os.kill(pid, signal.SIGWINCH)


def drain(until, want=None):
    """Read output until the deadline; with want, return the time the text
    appeared (None if it did not)."""
    buf = b""
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            return None
        now = time.monotonic()
        if want is not None:
            buf = (buf + chunk)[-(1 << 20):]
            if want in buf:
                return now


drain(time.monotonic() + a.w)
keys = [("help", b"?", b"all 64 signals"), ("detail", b"\r", b"What kill does"), ("filter", b"s", b" shown")]
res = {k[0]: [] for k in keys}
miss = {k[0]: 0 for k in keys}
try:
    for i in range(a.n):
        for name, key, want in keys:
            drain(time.monotonic() + random.uniform(0.3, 1.3))
            if name == "filter":
                os.write(fd, b"/")
                drain(time.monotonic() + 0.3)
            t0 = time.monotonic()
            os.write(fd, key)
            t1 = drain(t0 + 5, want)
            if t1 is None:
                miss[name] += 1
            else:
                res[name].append((t1 - t0) * 1000)
            os.write(fd, b"\x1b")
finally:
    os.kill(pid, signal.SIGTERM)
    time.sleep(0.3)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    shutil.rmtree(cache, ignore_errors=True)

for name, v in res.items():
    if not v:
        print(f"{name}: no repaint seen ({miss[name]} missed)")
        continue
    v.sort()
    p90 = v[min(len(v) - 1, int(len(v) * 0.9))]
    print(f"{name}: n={len(v)} median {statistics.median(v):.1f} ms, p90 {p90:.1f} ms, max {v[-1]:.1f} ms, missed {miss[name]}")
print("load:", open("/proc/loadavg").read().split()[:3])
