// Package inputfile reads the files a user names: the event payload, keys,
// trusted roots, templates, reports, release.yml. It reads regular files
// only, up to a size limit, so that a named pipe (FIFO) fails at once
// instead of blocking the run, and a device such as /dev/zero or a huge
// file fails instead of exhausting memory.
package inputfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxSize is the largest file Read accepts: 25 MiB. GitHub's webhook
// payloads are at most a few MB (GitHub caps them at 25 MB), and keys,
// trusted roots, templates, migration reports and release.yml are far
// smaller.
const MaxSize = 25 << 20

// Error is a file that cannot be used as an input: not a regular file, or
// over the limit. It is bad input (BadInput reports true).
type Error struct {
	Path    string
	Problem string // e.g. "is a named pipe (FIFO), not a regular file"
}

func (e *Error) Error() string { return fmt.Sprintf("%q %s", e.Path, e.Problem) }

// BadInput reports that the file cannot be used as it is.
func (e *Error) BadInput() bool { return true }

// Read reads the regular file at path (symbolic links are followed), of at
// most MaxSize bytes. Errors from the file system (a missing file, no
// permission) are *fs.PathError as os.ReadFile returns them.
func Read(path string) ([]byte, error) {
	return read(path, MaxSize)
}

func read(path string, limit int64) ([]byte, error) {
	// Stat before opening: opening a FIFO blocks until a writer comes.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := check(path, fi, limit); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file may have been replaced between Stat and Open.
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(path, fi, limit); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooBig(path, limit)
	}
	return b, nil
}

func check(path string, fi fs.FileInfo, limit int64) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
	case m.IsDir():
		return &Error{path, "is a directory, not a file"}
	case m&fs.ModeNamedPipe != 0:
		return &Error{path, "is a named pipe (FIFO), not a regular file: write the content to a file and name that"}
	case m&fs.ModeSocket != 0:
		return &Error{path, "is a socket, not a regular file"}
	case m&fs.ModeDevice != 0:
		return &Error{path, "is a device, not a regular file"}
	default:
		return &Error{path, "is not a regular file"}
	}
	if fi.Size() > limit {
		return tooBig(path, limit)
	}
	return nil
}

func tooBig(path string, limit int64) error {
	return &Error{path, fmt.Sprintf("is larger than %d MiB, the limit for an input file", limit>>20)}
}
