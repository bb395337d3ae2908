package main

import (
	"fmt"
	"io"
	"time"

	"github.com/sonicsaas/sonic-release/internal/actions"
)

// progress shows the steps of a long command on stderr: collapsible
// ::group:: blocks in GitHub Actions (the logs of a step land inside its
// group), plain timestamped lines elsewhere.
type progress struct {
	w       io.Writer
	actions bool
	open    bool
	start   time.Time
	now     func() time.Time
}

func newProgress(w io.Writer, inActions bool) *progress {
	return &progress{w: w, actions: inActions, now: time.Now, start: time.Now()}
}

// step ends the previous step and starts the next.
func (p *progress) step(name string) {
	at := p.now().Sub(p.start).Seconds()
	if p.actions {
		p.done()
		actions.Group(p.w, fmt.Sprintf("sonic-release: %s (at %.2fs)", name, at))
		p.open = true
		return
	}
	fmt.Fprintf(p.w, "[%5.2fs] %s\n", at, name)
}

// done closes the open group, if any.
func (p *progress) done() {
	if p.open {
		actions.EndGroup(p.w)
		p.open = false
	}
}
