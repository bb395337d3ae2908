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
	return sample(10*time.Millisecond, func(ms *runtime.MemStats) uint64 { return ms.HeapInuse })
}

// PeakLiveHeap samples runtime.MemStats.HeapAlloc (the live heap) every
// millisecond until stop is called and returns the highest figure seen, in
// bytes: for short benchmarks whose peak would fall between slower samples.
func PeakLiveHeap() (stop func() uint64) {
	return sample(time.Millisecond, func(ms *runtime.MemStats) uint64 { return ms.HeapAlloc })
}

func sample(every time.Duration, read func(*runtime.MemStats) uint64) (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if v := read(&ms); v > peak.Load() {
				peak.Store(v)
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
