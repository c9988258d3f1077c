package watch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect/sigtrace"
)

// lossy is a Source that has lost records from the start and whose
// ReadBatch waits until it is closed; its count cannot be read once closed
// (a Recorder's maps are gone).
type lossy struct {
	mu     sync.Mutex
	closed chan struct{}
	lost   uint64
}

func (l *lossy) ReadBatch(dst []sigtrace.Record, deadline time.Time) ([]sigtrace.Record, error) {
	select {
	case <-l.closed:
		return dst, sigtrace.ErrClosed
	case <-time.After(time.Until(deadline)):
		return dst, nil
	}
}

func (l *lossy) Lost() (uint64, error) {
	select {
	case <-l.closed:
		return 0, sigtrace.ErrClosed
	default:
	}
	return l.lost, nil
}

func (l *lossy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

// TestRunLastLost: records lost in Run's last second (before its first
// periodic read of the count) are reported when Run ends.
func TestRunLastLost(t *testing.T) {
	src := &lossy{closed: make(chan struct{}), lost: 7}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var got []Item
	if err := New().Run(ctx, src, func(it Item) { got = append(got, it) }, nil); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("items %v, want one Lost", got)
	}
	if l, ok := got[0].(*Lost); !ok || l.Count != 7 || l.Total != 7 {
		t.Errorf("got %+v, want Lost 7 of 7", got[0])
	}
}
