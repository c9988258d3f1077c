package procinspect

import "golang.org/x/sys/unix"

// The engine numbers signals as x86, arm, arm64, riscv64, ppc64 and s390x
// do (sigset.go), and reads 64-signal masks. MIPS (and Alpha, PA-RISC,
// SPARC) number several signals differently and MIPS has 128 of them, so
// every prediction there would be wrong: each line below is an index out
// of range, and the build fails, unless the numbers agree with the kernel's
// for GOARCH.
var (
	_ = [1]int{}[int(SIGHUP)-int(unix.SIGHUP)]
	_ = [1]int{}[int(SIGINT)-int(unix.SIGINT)]
	_ = [1]int{}[int(SIGQUIT)-int(unix.SIGQUIT)]
	_ = [1]int{}[int(SIGKILL)-int(unix.SIGKILL)]
	_ = [1]int{}[int(SIGTERM)-int(unix.SIGTERM)]
	_ = [1]int{}[int(SIGCHLD)-int(unix.SIGCHLD)]
	_ = [1]int{}[int(SIGCONT)-int(unix.SIGCONT)]
	_ = [1]int{}[int(SIGSTOP)-int(unix.SIGSTOP)]
	_ = [1]int{}[int(SIGTSTP)-int(unix.SIGTSTP)]
	_ = [1]int{}[int(SIGTTIN)-int(unix.SIGTTIN)]
	_ = [1]int{}[int(SIGTTOU)-int(unix.SIGTTOU)]
	_ = [1]int{}[int(SIGURG)-int(unix.SIGURG)]
	_ = [1]int{}[int(SIGWINCH)-int(unix.SIGWINCH)]
)
