module github.com/sigview/sigview

go 1.26.7

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/prometheus/procfs v0.23.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
