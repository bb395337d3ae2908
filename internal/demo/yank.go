package demo

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/sign"
	"github.com/sonicsaas/sonic-release/tagging"
	"github.com/sonicsaas/sonic-release/yank"
)

// keyVerifier checks the demo's key signature on the digests the
// floating tags move to.
type keyVerifier struct{ pub []byte }

func (k keyVerifier) Verify(ctx context.Context, d name.Digest) error {
	_, err := sign.Verify(ctx, d.String(), sign.WithPublicKey(k.pub), sign.WithRequireTransparencyLog(false))
	return err
}

// yankStep yanks v1.2.0 (`sonic-release yank`) and restores it, narrating
// both; it returns the app repository's floating tags while yanked.
func yankStep(ctx context.Context, w io.Writer, targets []name.Repository, pub []byte) (map[string]string, error) {
	v, _ := tagging.ParseVersion("v1.2.0")
	run := func(title string, req yank.Request) error {
		fmt.Fprintf(w, "\n▸ %s\n", title)
		req.Version, req.Now = v, time.Now()
		res, err := yank.Run(ctx, yank.Config{Request: req, Repos: targets, Verifier: keyVerifier{pub}})
		if err != nil {
			return fmt.Errorf("%s: %w", title, err)
		}
		rp := res.Plan.Repos[0] // the mirror gets the same decisions
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		if rp.Marker != "" {
			fmt.Fprintf(tw, "  %s\tmark\trecords the state next to the image; every later release reads it\n", rp.Marker)
		}
		for _, t := range rp.Tags {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", t.Tag, t.Op, t.Reason)
		}
		tw.Flush()
		fmt.Fprintf(w, "  %d tags written in %d repositories; targets verified as signed: %d\n", len(res.Written), len(res.Plan.Repos), len(res.Verified))
		return nil
	}
	if err := run("sonic-release yank v1.2.0 (a bad release: nobody new lands on it, pinned users still pull it)",
		yank.Request{Yank: true, Reason: "demo: pretend v1.2.0 corrupts sessions"}); err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range []string{"latest", "v1", "v1.2", "v1.2.0"} {
		d, err := remote.Head(targets[0].Tag(t), remote.WithContext(ctx))
		if err != nil {
			return nil, err
		}
		tags[t] = d.Digest.String()
	}
	if err := run("sonic-release unyank v1.2.0 (it was fine after all)", yank.Request{}); err != nil {
		return nil, err
	}
	return tags, nil
}
