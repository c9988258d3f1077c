// Package predict is sigview's judgement: what a signal does to a process,
// and why, as a pure function of the facts procinspect read and of the
// kernel profile the probe measured (docs/kernel-signals.md). Assess judges
// a whole snapshot once; every renderer reads its Assessments. It reads no
// file and no clock, and sends nothing (internal/archtest).
package predict
