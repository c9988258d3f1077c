module github.com/sigview/sigview

go 1.26.7

require (
	github.com/google/go-cmp v0.7.0
	github.com/prometheus/procfs v0.23.0
	golang.org/x/sys v0.50.0
)
