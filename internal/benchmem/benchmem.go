// Package benchmem measures the memory of a benchmark: the peak of the
// heap in use while it runs, sampled, for b.ReportMetric.
package benchmem

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// PeakHeap samples runtime.MemStats.HeapInuse every 10 ms until stop is
// called and returns the highest figure seen, in bytes.
func PeakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}
