package enginetest

import (
	"testing"
	"time"
)

// busyboxStopRow is one busybox init container and what its engine's stop
// did (measured, docker 20.10 and podman 4.3).
type busyboxStopRow struct {
	name     string
	args     []string
	t        int    // stop -t; -1: the engine's default grace period (10 s)
	signal   string // the stop signal
	verdict  string
	exitCode int
}

// TestBusyboxInitStop stops containers whose init is busybox init (the
// image's /sbin/init, a link to busybox, with an /etc/inittab that respawns
// a sleep and has no shutdown action) with each engine's own stop, and
// compares the engine's exit status and the time it took with sigview's
// predicted stop. busybox init takes SIGTERM as a reboot: SIGTERM to every
// other process, a second later SIGKILL, a second later reboot(2); without
// CAP_SYS_BOOT (the engines' default) that fails and it exits 0 about 3 s
// after the signal; with it the kernel kills it as if by SIGHUP (129) about
// 2 s after. podman takes a command /sbin/init for systemd (its default
// --systemd=true) and stops it with SIGRTMIN+3, which busybox init does not
// handle: dropped, so podman waits its timeout and kills (137).
func TestBusyboxInitStop(t *testing.T) {
	t.Parallel()
	sysBoot := []string{"--cap-add", "SYS_BOOT"}
	t.Run("docker", func(t *testing.T) {
		t.Parallel()
		d := StartDocker(t)
		testBusyboxStop(t, "docker", func(name string, args []string) Inspect {
			return d.RunImage(t, BusyboxRootfs, BusyboxImage, name, args, "/sbin/init")
		}, d, []busyboxStopRow{
			{"busybox-init", nil, -1, "SIGTERM", "yes", 0},
			{"busybox-init-sys-boot", sysBoot, -1, "SIGTERM", "yes", 129},
			// A grace period shorter than busybox init's 3 s: SIGKILL first.
			{"busybox-init-stop-timeout-2", []string{"--stop-timeout", "2"}, -1, "SIGTERM", "no", 137},
		})
	})
	t.Run("podman", func(t *testing.T) {
		t.Parallel()
		p := NewPodman(t)
		noSystemd := []string{"--systemd=false"}
		testBusyboxStop(t, "podman", func(name string, args []string) Inspect {
			return p.RunImage(t, BusyboxRootfs, BusyboxImage, name, args, "/sbin/init")
		}, p, []busyboxStopRow{
			{"busybox-init-systemd-mode", []string{"--stop-timeout", "2"}, -1, "SIGRTMIN+3", "no", 137},
			{"busybox-init", noSystemd, -1, "SIGTERM", "yes", 0},
			{"busybox-init-sys-boot", append(noSystemd, sysBoot...), -1, "SIGTERM", "yes", 129},
		})
	})
}

func testBusyboxStop(t *testing.T, eng string, run func(name string, args []string) Inspect, e Engine, rows []busyboxStopRow) {
	for _, r := range rows {
		in := run(r.name, r.args)
		waitForComm(t, in.Pid, "sleep")
		st, _ := predictedStop(t, eng, in.Pid)
		start := time.Now()
		e.Stop(t, in.ID, r.t)
		took := time.Since(start)
		out := e.Inspect(t, in.ID)
		t.Logf("%s %s: predicted %s: %s after %s, exit %s (%s); %s stop (%s) took %v, exit %d",
			eng, r.name, st.Signal, st.Verdict, intText(st.AfterSeconds), intText(st.ExitCode), st.Summary, eng, in.StopSignal, took.Round(10*time.Millisecond), out.ExitCode)
		if out.Running || out.ExitCode != r.exitCode {
			t.Errorf("%s: running %v, exit %d; want exit %d", r.name, out.Running, out.ExitCode, r.exitCode)
		}
		if st.Signal != r.signal || st.Verdict != r.verdict || st.ExitCode == nil || *st.ExitCode != out.ExitCode {
			t.Errorf("%s: predicted %s: %s exit %s (%s); the engine stopped it with %s, exit %d", r.name, st.Signal, st.Verdict, intText(st.ExitCode), st.Summary, in.StopSignal, out.ExitCode)
		}
		// Ended by busybox init itself, the exit status (not SIGKILL's 137)
		// already says so; the clock only catches a hang, and a stop can
		// never be quicker than the predicted after_seconds (busybox init's
		// own 2 or 3 s, or the timeout before SIGKILL).
		switch {
		case r.exitCode != 137 && took > 9*time.Second:
			t.Errorf("%s: the stop took %v, as long as the grace period", r.name, took)
		case st.AfterSeconds == nil:
			t.Errorf("%s: no predicted after_seconds", r.name)
		case took < time.Duration(*st.AfterSeconds)*time.Second:
			t.Errorf("%s: the stop took %v, less than the predicted %d s", r.name, took, *st.AfterSeconds)
		case r.exitCode != 137 && *st.AfterSeconds < 2:
			t.Errorf("%s: predicted after %d s; busybox init takes 2 s or more", r.name, *st.AfterSeconds)
		}
	}
}
