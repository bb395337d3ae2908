package release

import (
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// memoIndex is an index in a registry whose platform images are read once
// per run: the revision check reads the first one's manifest and config,
// the copy into each target lacking the index reads them all again
// otherwise (a GET each, on the critical path).
type memoIndex struct {
	embeddedIndex
	mu       sync.Mutex
	children map[v1.Hash]*memoChild
}

// embeddedIndex names the embedded v1.ImageIndex apart from its ImageIndex method.
type embeddedIndex = v1.ImageIndex

type memoChild struct {
	once sync.Once
	img  v1.Image
	err  error
}

// memoized wraps an index just read (as desc.ImageIndex returns it).
func memoized(idx v1.ImageIndex, err error) (v1.ImageIndex, error) {
	if err != nil {
		return nil, err
	}
	return &memoIndex{embeddedIndex: idx, children: map[v1.Hash]*memoChild{}}, nil
}

// Image returns the child image h, read on first use.
func (m *memoIndex) Image(h v1.Hash) (v1.Image, error) {
	m.mu.Lock()
	c := m.children[h]
	if c == nil {
		c = &memoChild{}
		m.children[h] = c
	}
	m.mu.Unlock()
	c.once.Do(func() { c.img, c.err = m.embeddedIndex.Image(h) })
	return c.img, c.err
}
