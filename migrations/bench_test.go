package migrations

import (
	"os"
	"path/filepath"
	"testing"
)

// benchFiles returns the migrations to classify: the *.sql files of
// $MIGRATIONS_BENCH_DIR when set (bench/migrations.sh sets it, so squawk
// reads the same files), else the drizzle-kit fixtures repeated to 306 files.
func benchFiles(b *testing.B) [][]byte {
	b.Helper()
	dir := os.Getenv("MIGRATIONS_BENCH_DIR")
	repeat := 1
	if dir == "" {
		dir, repeat = "testdata/drizzle", 34
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no migrations in %s", dir)
	}
	var files [][]byte
	for range repeat {
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, data)
		}
	}
	return files
}

// BenchmarkClassify measures files per second for classifying a few
// hundred migrations, each against the schema of the first fixture.
func BenchmarkClassify(b *testing.B) {
	files := benchFiles(b)
	init, err := os.ReadFile("testdata/drizzle/0000_init.sql")
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, f := range files {
		bytes += int64(len(f))
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	for b.Loop() {
		s := NewSchema()
		if _, err := ClassifyFile("init.sql", init, s); err != nil {
			b.Fatal(err)
		}
		s.Baseline()
		for _, f := range files {
			if _, err := ClassifyFile("m.sql", f, s); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
