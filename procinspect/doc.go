// Package procinspect reads the facts sigview judges from a procfs: every
// process's signal state, grouped by PID namespace, with the namespace
// inits read in depth.
//
// An FS is a procfs to read (the host's /proc, a host's /proc bind-mounted
// into a container, or a copy), and a Proc is one process's directory in
// it, as prometheus/procfs's FS and Proc. Scanner.Scan reads every
// process's status and PID namespace, groups them into Namespaces, and
// reads the namespace inits in depth (threads, signalfds, sigtimedwait
// sets, executable, the program it is, its container and the engine's
// files about it): a Snapshot. A fact that could not be read is Known[T]
// with Known false (Flag, Int, Mask), never a made-up zero; what could not
// be read becomes a warning. Printable is the one escaping function for
// any text a process or an engine file controls.
//
// It judges nothing: what a signal does is procinspect/predict's job, the
// JSON documents procinspect/document's, and sending a signal
// procinspect/act's. internal/archtest keeps it so.
package procinspect
