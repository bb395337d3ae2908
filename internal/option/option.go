// Package option holds what the functional options of sonic-release's
// libraries share: applying them over the defaults, and the two settings
// every library takes, a logger and an HTTP client, checked the same way.
// Each library keeps its own Option type and With… functions (their
// documentation is the library's API); they delegate here.
package option

import (
	"errors"
	"log/slog"
	"net/http"
)

// Apply applies opts to o in order and returns o, or the first error.
func Apply[O any, F ~func(*O) error](o *O, opts []F) (*O, error) {
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// Common are the settings every library takes. Embed it in a package's
// options, starting from Defaults.
type Common struct {
	Log  *slog.Logger // logs decisions; default: discards
	HTTP *http.Client // default: http.DefaultClient
}

// Defaults are a logger that discards and http.DefaultClient.
func Defaults() Common {
	return Common{Log: slog.New(slog.DiscardHandler), HTTP: http.DefaultClient}
}

// SetLogger sets the logger; nil is an error.
func (c *Common) SetLogger(l *slog.Logger) error {
	if l == nil {
		return errors.New("logger must not be nil")
	}
	c.Log = l
	return nil
}

// SetHTTPClient sets the HTTP client; nil is an error.
func (c *Common) SetHTTPClient(h *http.Client) error {
	if h == nil {
		return errors.New("HTTP client must not be nil")
	}
	c.HTTP = h
	return nil
}
