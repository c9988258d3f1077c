package main

import (
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// metricValue finds one series' value in a /metrics page: name and every
// label="value" given must match; -1 when absent.
func metricValue(page, name string, labels ...string) float64 {
	for _, line := range strings.Split(page, "\n") {
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err == nil {
			return v
		}
	}
	return -1
}

// TestServeSignals: with --collector.signals, serve counts the signals to
// namespace inits by init, signal, sender and result, and counts a signal
// whose outcome disagreed with the scan's prediction (a shell init that set
// a trap after the scan) in sigview_prediction_mismatches_total; it exports
// each container's stop signal for the alert rule to join on.
func TestServeSignals(t *testing.T) {
	nstest.NeedNamespaces(t)
	bin := buildTools(t).sigview
	sleeper := startTarget(t, true, 0, "sleep", "1000")
	sleepNS := strconv.FormatUint(pidnsOf(t, sleeper.pid), 10)
	sh, arm := trapShell(t, "PWR")
	addr, log := startServe(t, bin, "--listen", "127.0.0.1:0", "--interval", "1h", "--no-probe", "--collector.signals")
	page := func() string {
		code, body, err := httpGet("http://" + addr + "/metrics")
		if err != nil || code != 200 {
			t.Fatalf("/metrics: %d %v", code, err)
		}
		return string(body)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if code, _, _ := httpGet("http://" + addr + "/healthz"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scan finished; log:\n%s", log.String())
		}
	}
	if v := metricValue(page(), "sigview_signal_log_up"); v != 1 {
		// (an unlabelled series is printed without braces)
		if !regexp.MustCompile(`(?m)^sigview_signal_log_up 1$`).MatchString(page()) {
			t.Fatalf("sigview_signal_log_up is not 1; log:\n%s", log.String())
		}
	}
	before := metricValue(page(), "sigview_prediction_mismatches_total", `signal="SIGPWR"`, `from="host"`)

	syscall.Kill(sleeper.pid, syscall.SIGTERM)
	arm()
	syscall.Kill(sh, syscall.SIGPWR)
	var p string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		p = page()
		if metricValue(p, "sigview_signals_total", `pidns="`+sleepNS+`"`, `signal="SIGTERM"`) >= 1 &&
			metricValue(p, "sigview_prediction_mismatches_total", `signal="SIGPWR"`, `from="host"`) > max(before, 0) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the signals were not counted:\n%s\nlog:\n%s", grepLines(p, "sigview_signal", "sigview_prediction"), log.String())
		}
	}
	if v := metricValue(p, "sigview_signals_total", `pidns="`+sleepNS+`"`, `signal="SIGTERM"`, `from="host"`, `result="ignored"`, `program="other"`); v != 1 {
		t.Errorf("sigview_signals_total for the sleep init's SIGTERM = %v, want 1:\n%s", v, grepLines(p, "sigview_signals_total"))
	}
	shNS := strconv.FormatUint(pidnsOf(t, sh), 10)
	if v := metricValue(p, "sigview_signals_total", `pidns="`+shNS+`"`, `signal="SIGPWR"`, `from="host"`, `result="delivered"`); v != 1 {
		t.Errorf("sigview_signals_total for the shell's SIGPWR = %v, want 1:\n%s", v, grepLines(p, "sigview_signals_total"))
	}
	t.Logf("%s", grepLines(p, "sigview_signal", "sigview_prediction"))
}

func grepLines(page string, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(page, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}
