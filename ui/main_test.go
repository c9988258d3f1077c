package ui

import (
	"os"
	"testing"

	"github.com/sigview/sigview/internal/testenv"
)

// TestMain keeps the kernel profile's cache of the sigview the end-to-end
// test runs out of /run/sigview.
func TestMain(m *testing.M) {
	cleanup := testenv.PrivateCache()
	code := m.Run()
	cleanup()
	os.Exit(code)
}
