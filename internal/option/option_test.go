package option_test

import (
	"errors"
	"log/slog"
	"net/http"
	"testing"

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
