package sign_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// sigTags lists the cosign signature tags in repo.
func sigTags(t *testing.T, repo name.Repository) []string {
	t.Helper()
	tags, err := remote.List(repo)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tg := range tags {
		if strings.HasSuffix(tg, ".sig") {
			out = append(out, tg)
		}
	}
	return out
}

func sigTag(d name.Digest) string {
	return strings.Replace(d.DigestStr(), ":", "-", 1) + ".sig"
}

// sigLayers counts the signatures stored for d.
func sigLayers(t *testing.T, d name.Digest) int {
	t.Helper()
	img, err := remote.Image(d.Context().Tag(sigTag(d)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return len(m.Layers)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func isRefused(err error) bool {
	var r interface{ Refused() bool }
	return errors.As(err, &r) && r.Refused()
}
