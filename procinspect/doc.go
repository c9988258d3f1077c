// Package procinspect reads the signal state of every process in a procfs
// and predicts what a signal does to each PID namespace's init.
//
// It has two parts, as facts and then judgement:
//
//   - Facts. An FS is a procfs to read (the host's /proc, a host's /proc
//     bind-mounted into a container, or a copy), and a Proc is one
//     process's directory in it, as prometheus/procfs's FS and Proc.
//     Scanner.Scan reads every process's status and PID namespace, groups
//     them into Namespaces, and reads the namespace inits in depth (threads,
//     signalfds, sigtimedwait sets, executable): a Snapshot. A fact that
//     could not be read is Known[T] with Known false (Flag, Int, Mask),
//     never a made-up zero; what could not be read becomes a warning.
//   - Assessment. Predict is a pure function of those facts and the
//     measured kernel profile (Kernel, from procinspect/probe): it decides
//     what one signal from one sender (Inside or Host) does, with the
//     kernel's reasons (docs/kernel-signals.md). What sigview knows of
//     particular programs (tini, dumb-init, catatonit, pause, Node, Python,
//     shells, the JVM, Go) is one table, programs. Snapshot.Assessment
//     gathers every prediction a renderer shows, the container stops
//     (StopsFor) and the fix hint (FixHint) once per snapshot; the
//     renderers (procinspect/render, ui) and the JSON Document (Report)
//     only read it.
//
// Nothing here sends a signal or starts a process: that is
// procinspect/act's job, and internal/archtest keeps it so.
package procinspect
