package inputfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "event.json")
	if err := os.WriteFile(small, []byte(`{"action":"published"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(small); err != nil || string(b) != `{"action":"published"}` {
		t.Errorf("Read(regular) = %q, %v", b, err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(link); err != nil {
		t.Errorf("Read(link to a regular file) = %v", err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, 2<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{fifo, "is a named pipe (FIFO)"}, // would block in os.ReadFile
		{"/dev/zero", "is a device"},     // would never end
		{dir, "is a directory"},
		{big, "is larger than 2 MiB"},
	} {
		_, err := read(tt.path, 2<<20)
		var ie *Error
		if !errors.As(err, &ie) || !ie.BadInput() || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("read(%s) = %v, want an *Error with %q", tt.path, err, tt.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want fs.ErrNotExist", err)
	}
}
