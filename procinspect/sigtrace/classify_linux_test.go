package sigtrace

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// oldKernelLog is the end of the verifier log of a Linux 6.8 kernel given
// a sched_process_exit program that reads the tracepoint's group_dead,
// which that kernel's tracepoint does not have.
var oldKernelLog = []string{
	"func 'sched_process_exit' arg0 has btf_id 158 type STRUCT 'task_struct'",
	"0: R1=ctx() R10=fp0",
	"; int BPF_PROG(sched_process_exit, struct task_struct *task, bool group_dead)",
	"0: (79) r2 = *(u64 *)(r1 +8)",
	"func 'sched_process_exit' doesn't have 2-th argument",
	"invalid bpf_context access off=8 size=8",
	"processed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
}

func TestClassifyVerifierRejection(t *testing.T) {
	root := privileges{euid: 0, capEff: 1<<41 - 1, known: true}
	ve := &ebpf.VerifierError{Cause: unix.EACCES, Log: oldKernelLog}
	err := fmt.Errorf("field SchedProcessExit: program sched_process_exit: load program: %w", ve)
	got := classifyWith("loading the BPF programs", err, "[none] integrity confidentiality", root)
	var u *Unavailable
	if !errors.As(got, &u) {
		t.Fatalf("got %T %v, want *Unavailable", got, got)
	}
	msg := got.Error()
	for _, want := range []string{"verifier rejected", "too old", "BTF",
		`"invalid bpf_context access off=8 size=8"`, `"func 'sched_process_exit' doesn't have 2-th argument"`,
		"program sched_process_exit", "privileges were enough (euid 0"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	for _, bad := range []string{"not permitted", "run as root", "processed 1 insns"} {
		if strings.Contains(msg, bad) {
			t.Errorf("message says %q for root:\n%s", bad, msg)
		}
	}
	if strings.Count(msg, "invalid bpf_context access") != 1 {
		t.Errorf("the verifier's line is repeated:\n%s", msg)
	}
	if !errors.Is(got, unix.EACCES) || !errors.As(got, &ve) {
		t.Errorf("the cause is lost: %v", got)
	}

	// The same rejection for a loader without CAP_BPF/CAP_PERFMON/
	// CAP_SYS_ADMIN is a privilege problem.
	user := privileges{euid: 1000, capEff: 0, known: true}
	msg = classifyWith("loading the BPF programs", err, "", user).Error()
	if !strings.Contains(msg, "not permitted") || !strings.Contains(msg, "run as root") {
		t.Errorf("unprivileged: %s", msg)
	}

	// EPERM for root with every capability is not "run as root".
	msg = classifyWith("attaching", fmt.Errorf("x: %w", unix.EPERM), "", root).Error()
	if strings.Contains(msg, "run as root") || !strings.Contains(msg, "although sigview has the privileges") {
		t.Errorf("root EPERM: %s", msg)
	}
	// CAP_BPF and CAP_PERFMON without root are enough.
	bpfOnly := privileges{euid: 1000, capEff: 1<<capBPF | 1<<capPerfmon, known: true}
	if !bpfOnly.enough() || (privileges{euid: 1000, capEff: 1 << capBPF, known: true}).enough() {
		t.Error("CAP_BPF+CAP_PERFMON should be enough, CAP_BPF alone not")
	}
}
