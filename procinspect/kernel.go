package procinspect

import (
	"fmt"
	"time"
)

// Kernel is the profile of the kernel that runs the processes: the signal
// rules that differ between kernel builds, each measured on the running
// kernel by a probe (package procinspect/probe) rather than assumed from a
// release number. Two builds of Linux 6.18.44 were measured to disagree on
// the fatal fast path at a multi-threaded init (docs/kernel-signals.md §0
// item 6), so the engine takes these rules as input. A nil *Kernel, or a
// rule that could not be measured, makes every prediction that depends on
// it unknown.
type Kernel struct {
	// Release and Version are uname -r and uname -v.
	Release string
	Version string
	// BootID is /proc/sys/kernel/random/boot_id: with Release and Version
	// it keys the cache.
	BootID string
	// ProbedAt is when the rules were measured; zero when they were not.
	ProbedAt time.Time
	// Method says how the probe ran ("root: CLONE_NEWPID", "user and PID
	// namespace as uid 1000"), or why it did not run.
	Method string
	// Source is "probe" (measured by this run), "cache" (measured earlier
	// in this boot), or "none".
	Source string
	// Took is how long the measurement took.
	Took time.Duration
	// Rules are the measured rules, in the order of AllRules.
	Rules []Rule
}

// RuleName names one build-dependent kernel rule.
type RuleName string

// The measured rules. Each is a question the probe asks the running kernel
// by making a throwaway helper init and signalling it.
const (
	// RuleFastPathKillsInit: does a fatal signal with the default action
	// kill a multi-threaded init whose main thread blocks it while another
	// thread does not (complete_signal's fatal fast path)? Mainline 6.x:
	// yes; some builds spare an init, as kernels before 4.x did.
	RuleFastPathKillsInit RuleName = "fatal_fast_path_kills_init"
	// RuleCoreFastPathKillsInit: the same for a core-dump signal (SIGQUIT),
	// which mainline's fast path skips, so get_signal drops it at an init.
	RuleCoreFastPathKillsInit RuleName = "core_signal_fast_path_kills_init"
	// RuleTracedPassOnKillsInit: does a signal with the default action that
	// a tracer passes on (PTRACE_CONT with the signal) kill a traced init?
	// Mainline: no, get_signal drops it at the init after ptrace_signal.
	RuleTracedPassOnKillsInit RuleName = "traced_init_passed_on_signal_kills"
	// RulePidfdOpen, RulePidfdSendSignal and RulePidfdInfoExit: whether
	// pidfd_open(2), pidfd_send_signal(2) and PIDFD_GET_INFO with
	// PIDFD_INFO_EXIT (Linux 6.15) work, which send and try rely on.
	RulePidfdOpen       RuleName = "pidfd_open"
	RulePidfdSendSignal RuleName = "pidfd_send_signal"
	RulePidfdInfoExit   RuleName = "pidfd_info_exit"
)

// AllRules lists the rules in the order they are shown.
var AllRules = []RuleName{RuleFastPathKillsInit, RuleCoreFastPathKillsInit, RuleTracedPassOnKillsInit,
	RulePidfdOpen, RulePidfdSendSignal, RulePidfdInfoExit}

// Rule is one measured rule.
type Rule struct {
	Name RuleName
	// Value is the answer; unknown when it could not be measured.
	Value Flag
	// How says what the probe did and saw ("a 5-thread helper init … died
	// of signal 15 after 0.3 ms"), or, when Value is unknown, why.
	How string
}

// Rule returns the named rule, unknown (with the reason) when the kernel
// was not probed or the rule could not be measured.
func (k *Kernel) Rule(name RuleName) Rule {
	if k == nil {
		return Rule{Name: name, How: "the running kernel was not probed"}
	}
	for _, r := range k.Rules {
		if r.Name == name {
			return r
		}
	}
	if len(k.Rules) == 0 && k.Method != "" {
		return Rule{Name: name, How: k.Method}
	}
	return Rule{Name: name, How: fmt.Sprintf("the probe did not measure %s", name)}
}

// Set replaces or adds a rule.
func (k *Kernel) Set(r Rule) {
	for i := range k.Rules {
		if k.Rules[i].Name == r.Name {
			k.Rules[i] = r
			return
		}
	}
	k.Rules = append(k.Rules, r)
}

// WithRule returns a copy of k in which one rule has the given value; the
// other profile, for tests and for showing what a different build would do.
func (k *Kernel) WithRule(name RuleName, v bool, how string) *Kernel {
	c := &Kernel{}
	if k != nil {
		*c = *k
		c.Rules = append([]Rule(nil), k.Rules...)
	}
	c.Set(Rule{Name: name, Value: KnownFlag(v), How: how})
	return c
}

// NotMeasured is the end of a reason for a prediction that depends on an
// unmeasured rule.
func (r Rule) NotMeasured() string {
	return "this kernel was not measured (" + r.How + ")"
}
