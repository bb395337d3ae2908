package option_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/option"
)

type settings struct {
	option.Common
	jobs int
}

type opt func(*settings) error

func TestApply(t *testing.T) {
	t.Parallel()
	l := slog.New(slog.DiscardHandler)
	h := &http.Client{}
	s, err := option.Apply(&settings{Common: option.Defaults(), jobs: 4}, []opt{
		func(s *settings) error { return s.SetLogger(l) },
		nil,
		func(s *settings) error { return s.SetHTTPClient(h) },
		func(s *settings) error { s.jobs = 2; return nil },
	})
	if err != nil || s.Log != l || s.HTTP != h || s.jobs != 2 {
		t.Errorf("Apply = %+v, %v", s, err)
	}
	d := option.Defaults()
	if d.Log == nil || d.HTTP != http.DefaultClient {
		t.Errorf("Defaults() = %+v", d)
	}
	boom := errors.New("boom")
	if _, err := option.Apply(&settings{}, []opt{func(*settings) error { return boom }}); !errors.Is(err, boom) {
		t.Errorf("Apply error = %v", err)
	}
	if err := d.SetLogger(nil); err == nil {
		t.Error("SetLogger(nil) accepted")
	}
	if err := d.SetHTTPClient(nil); err == nil {
		t.Error("SetHTTPClient(nil) accepted")
	}
}

func TestRegistryOptions(t *testing.T) {
	ctx := context.Background()
	reg, _ := name.NewRegistry("ghcr.io")
	fixed := remote.WithUserAgent("a")
	r := option.Registry{Fixed: []remote.Option{fixed}}
	got, err := r.Options(ctx, reg)
	if err != nil || len(got) != 2 { // the fixed one and the context
		t.Fatalf("without For: %d options, %v", len(got), err)
	}
	if err := r.SetFor(nil); err == nil {
		t.Error("SetFor(nil) accepted")
	}
	var asked []string
	if err := r.SetFor(func(_ context.Context, reg name.Registry) ([]remote.Option, error) {
		asked = append(asked, reg.RegistryStr())
		if reg.RegistryStr() == "bad.example" {
			return nil, errors.New("no access")
		}
		return []remote.Option{remote.WithUserAgent("b")}, nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err = r.Options(ctx, reg)
	if err != nil || len(got) != 3 || cap(got) != len(got) {
		t.Fatalf("with For: %d options (cap %d), %v; want 3, clipped", len(got), cap(got), err)
	}
	bad, _ := name.NewRegistry("bad.example")
	if _, err := r.Options(ctx, bad); err == nil {
		t.Error("For's error was dropped")
	}
	if strings.Join(asked, ",") != "ghcr.io,bad.example" {
		t.Errorf("For asked for %v", asked)
	}
}
