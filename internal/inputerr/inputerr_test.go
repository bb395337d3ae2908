package inputerr_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
)

func TestMarks(t *testing.T) {
	t.Parallel()
	err := inputerr.Errorf("opening %q: %w", "image.tar", fs.ErrNotExist)
	var b interface{ BadInput() bool }
	if !errors.As(err, &b) || !b.BadInput() {
		t.Errorf("%v is not marked as bad input", err)
	}
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != `opening "image.tar": file does not exist` {
		t.Errorf("Errorf = %q, want the wrapped error kept", err)
	}
	if inputerr.New(nil) != nil {
		t.Error("New(nil) is not nil")
	}
	if err := inputerr.New(fs.ErrPermission); !errors.Is(err, fs.ErrPermission) || !errors.As(err, &b) {
		t.Errorf("New = %v", err)
	}
}
