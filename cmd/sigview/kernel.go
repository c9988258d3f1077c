package main

import (
	"io"

	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/render"
)

var kernelCommand = &command{
	name:     "kernel",
	synopsis: "kernel [flags]",
	summary:  "the kernel's build-dependent signal rules, measured on the running kernel",
	about: "kernel measures, on the running kernel, the signal rules that differ between builds of\n" +
		"the same release (docs/kernel-signals.md §13), with helper inits in new PID namespaces.\n" +
		"The result is cached per boot.",
	flags: []cmdFlag{{"json", "print the profile as JSON (the document's kernel object, docs/json.md)"}},
	run: func(c *command, o options, args []string, stdout, _ io.Writer) error {
		if err := noArgs(c, args); err != nil {
			return err
		}
		k := kernelProfile(o)
		if o.json {
			return document.Write(stdout, document.DocKernelOf(k))
		}
		return render.WriteKernel(stdout, k)
	},
}
