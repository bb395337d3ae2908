package release

import (
	"fmt"
	"log/slog"
	"syscall"
)

var errReset = fmt.Errorf("read: %w", syscall.ECONNRESET)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
