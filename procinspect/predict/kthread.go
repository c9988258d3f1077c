package predict

import "github.com/sigview/sigview/procinspect"

// kernelThread decides a signal sent to a kernel thread. kthreadd and every
// kthread it starts call ignore_signals(), which sets every handler to
// SIG_IGN, SIGKILL's included; sig_task_ignored then discards a signal
// with a SIG_IGN handler at send time, so SIGKILL to a kthread is not
// delivered and kill() still returns 0. A kthread can take a signal back
// with allow_signal() (handler SIG_KTHREAD, shown in SigCgt): it is then
// queued and the thread's own code decides, as nfsd threads stop on
// SIGKILL. allow_kernel_signal() (SIG_KTHREAD_KERNEL) also shows in SigCgt
// but still ignores what user space sends; /proc does not tell them apart.
// It does not decide for a process not known to be a kernel thread.
func (e *eval) kernelThread() (Prediction, bool) {
	st := e.p.Status
	how := ""
	switch {
	case e.p.Kthread.Known && e.p.Kthread.V:
	case st.SigIgn.Known && st.SigIgn.Has(procinspect.SIGKILL):
		// User space cannot ignore SIGKILL (do_sigaction refuses).
		how = " (its SigIgn has SIGKILL, which only the kernel's ignore_signals() sets)"
	default:
		return Prediction{}, false
	}
	switch {
	case st.SigCgt.Known && st.SigCgt.Has(e.sig):
		return e.out(Depends, Handled, "%s is a kernel thread%s that allows %s (SigCgt: allow_signal()): the kernel queues it and the thread's own code decides; if it was allowed with allow_kernel_signal() instead, user space's %s is ignored, and /proc does not tell the two apart", e.who, how, e.name, e.name), true
	case st.SigIgn.Known && st.SigIgn.Has(e.sig):
		return e.out(No, Ignored, "%s is a kernel thread%s: signals from user space have no effect (kernel threads have every signal ignored, SIGKILL included: ignore_signals() under PF_KTHREAD, so sig_task_ignored discards %s at send time and kill() still returns 0)", e.who, how, e.name), true
	default:
		return e.out(VerdictUnknown, OutcomeUnknown, "%s is a kernel thread%s, but its handler for %s is not SIG_IGN as kernel threads normally have (SigIgn/SigCgt), so what the kernel code does with it is unknown", e.who, how, e.name), true
	}
}
