package watch

import (
	"context"
	"errors"
	"time"

	"github.com/sigview/sigview/procinspect/sigtrace"
)

// Source is where records come from: a *sigtrace.Recorder.
type Source interface {
	ReadBatch(dst []sigtrace.Record, deadline time.Time) ([]sigtrace.Record, error)
	Lost() (uint64, error)
	Close() error
}

// tick is how often fates are settled while an event waits for one;
// lostEvery how often the kernel's count of lost records is read, and how
// often Run wakes when nothing waits (every wakeup costs the Go runtime's
// monitor a burst of short sleeps).
const (
	tick      = 250 * time.Millisecond
	lostEvery = time.Second
)

// Run reads src until ctx ends or src fails, and hands every item to out,
// in order, from the calling goroutine (one goroutine does it all: at a
// thousand signals a second, handing records between goroutines cost more
// than reading them). flush (when not nil) is called after every batch, so
// that out may buffer. When ctx ends Run reads src's lost count a last
// time, closes src and returns nil; it returns src's error otherwise.
func (w *Watcher) Run(ctx context.Context, src Source, out func(Item), flush func()) error {
	if flush == nil {
		flush = func() {}
	}
	// When ctx ends, the kernel's count of lost records is read once more
	// before src closes (it cannot be read after): records lost in the
	// last second are reported too.
	var (
		lastLost    uint64
		lastLostErr error
		closed      = make(chan struct{})
	)
	stop := context.AfterFunc(ctx, func() {
		lastLost, lastLostErr = src.Lost()
		src.Close()
		close(closed)
	})
	defer stop()
	var (
		lost   uint64
		lostAt time.Time
		buf    []sigtrace.Record
		err    error
		next   = time.Now().Add(tick)
	)
	for {
		buf, err = src.ReadBatch(buf[:0], next)
		for _, r := range buf {
			for _, it := range w.Handle(r) {
				out(it)
			}
		}
		if len(buf) > 0 {
			next = minTime(next, time.Now().Add(tick))
		}
		if err != nil {
			if errors.Is(err, sigtrace.ErrClosed) && ctx.Err() != nil {
				<-closed
				if lastLostErr == nil && lastLost > lost {
					out(&Lost{Time: time.Now(), Count: lastLost - lost, Total: lastLost})
				}
				flush()
				return nil
			}
			flush()
			return err
		}
		if now := time.Now(); !now.Before(next) {
			next = now.Add(lostEvery)
			if now.Sub(lostAt) >= lostEvery {
				lostAt = now
				if n, err := src.Lost(); err == nil && n > lost {
					out(&Lost{Time: now, Count: n - lost, Total: n})
					lost = n
				}
			}
			for _, it := range w.Expire(now) {
				out(it)
			}
			if w.unsettled() {
				next = now.Add(tick)
			}
		}
		flush()
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
