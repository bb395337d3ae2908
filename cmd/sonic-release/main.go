// Command sonic-release tags, signs and documents the container image
// releases of an application on GitHub Container Registry.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], newSystemIO(), os.Getenv)
	stop()
	os.Exit(code)
}
