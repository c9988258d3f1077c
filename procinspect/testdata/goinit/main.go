// Command goinit is a Go program run as a PID-namespace init by sigview's
// real-kernel tests. "goinit plain" never calls signal.Notify; "goinit
// notify" asks for SIGTERM and exits 0 when it arrives.
package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "notify" {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		go func() {
			<-c
			os.Exit(0)
		}()
	}
	os.Stdout.WriteString("ready\n")
	for {
		time.Sleep(time.Hour)
	}
}
