package migrations

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/benchmem"
)

// hostileSQL builds about size bytes of migration SQL without
// statement breakpoints, of one of three shapes: "bad-first" (one statement
// that does not parse, then valid ones), "bad-every-1000" (a statement that
// does not parse every 1000 lines) and "clean" (valid statements only).
func hostileSQL(shape string, size int) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);\n")
	if shape == "bad-first" {
		b.WriteString("ALTER TABLE \"users\" ADD COLUMN;\n")
	}
	for i := 0; b.Len() < size; i++ {
		if shape == "bad-every-1000" && i%1000 == 999 {
			b.WriteString("ALTER TABLE \"users\" ADD COLUMN;\n")
			continue
		}
		fmt.Fprintf(&b, "ALTER TABLE \"users\" ADD COLUMN \"c%d\" integer;\n", i)
	}
	return b.String()
}

// BenchmarkClassifyHostile measures ClassifyFile on large files without
// statement breakpoints, with and without SQL that does not parse: the time
// per op must grow linearly with the size (compare the 2 MB and 1 MB
// figures). It also reports the peak live heap (peak-heap-MB).
func BenchmarkClassifyHostile(b *testing.B) {
	for _, shape := range []string{"bad-first", "bad-every-1000", "clean"} {
		for _, kb := range []int{512, 1024, 2048} {
			sql := []byte(hostileSQL(shape, kb<<10))
			b.Run(fmt.Sprintf("%s/%dKB", shape, kb), func(b *testing.B) {
				benchClassify(b, sql)
			})
		}
	}
}

// hugeInsert builds one INSERT of about size bytes.
func hugeInsert(size int) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY, \"name\" text);\n")
	b.WriteString("INSERT INTO \"users\" (\"id\", \"name\") VALUES\n")
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "(%d, 'user number %d')", i, i)
	}
	b.WriteString(";\n")
	return b.String()
}

// BenchmarkClassifyHuge measures the memory of classifying 10 MB files:
// ADD COLUMN statements without breakpoints, the same with a breakpoint
// after each statement (drizzle-kit's layout), and one INSERT.
// peak-heap-MB is the highest live heap during the runs.
func BenchmarkClassifyHuge(b *testing.B) {
	const size = 10 << 20
	var broken strings.Builder
	for s := range strings.Lines(hostileSQL("clean", size)) {
		broken.WriteString(s)
		broken.WriteString(Breakpoint + "\n")
	}
	for _, c := range []struct{ name, sql string }{
		{"add-column", hostileSQL("clean", size)},
		{"add-column-breakpoints", broken.String()},
		{"insert", hugeInsert(size)},
	} {
		sql := []byte(c.sql)
		b.Run(c.name+"/10MB", func(b *testing.B) {
			benchClassify(b, sql)
		})
	}
}

// benchClassify classifies sql b.N times, reporting bytes per second,
// allocations and the peak live heap (peak-heap-MB).
func benchClassify(b *testing.B, sql []byte) {
	b.SetBytes(int64(len(sql)))
	b.ReportAllocs()
	runtime.GC()
	stop := benchmem.PeakLiveHeap()
	for b.Loop() {
		fs, err := ClassifyFile("bench.sql", sql, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(fs) == 0 {
			b.Fatal("no findings")
		}
	}
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MB")
}
