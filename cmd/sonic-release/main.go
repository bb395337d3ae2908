// Command sonic-release tags, signs and documents the container image
// releases of an application on GitHub Container Registry.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time (-ldflags "-X main.version=v1.2.3").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], newSystemIO(), os.Getenv)
	stop()
	os.Exit(code)
}
