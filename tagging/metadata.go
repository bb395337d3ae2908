package tagging

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The OCI pre-defined annotation keys (image-spec annotations.md) that
// docker/metadata-action writes as labels and as annotations.
const (
	KeyCreated     = "org.opencontainers.image.created"
	KeyDescription = "org.opencontainers.image.description"
	KeyLicenses    = "org.opencontainers.image.licenses"
	KeyRevision    = "org.opencontainers.image.revision"
	KeySource      = "org.opencontainers.image.source"
	KeyTitle       = "org.opencontainers.image.title"
	KeyURL         = "org.opencontainers.image.url"
	KeyVersion     = "org.opencontainers.image.version"
)

// Repository is what the image metadata says of the repository built: in
// GitHub Actions, the event payload's repository object.
type Repository struct {
	FullName    string // owner/name
	Name        string // name, the image title
	Description string
	URL         string // the web page, https://github.com/owner/name
	License     string // SPDX identifier, e.g. MIT
}

// MetadataInput is what Metadata needs besides the event and its tags.
type MetadataInput struct {
	// Repo overrides the event's repository field by field; the event's
	// (the payload's) wins where both are set.
	Repo Repository
	// Created is the time the image is dated with: the commit's time, so
	// a rebuild of the commit carries the same labels. Zero leaves the
	// created key out.
	Created time.Time
}

// Label is one key=value of the image metadata.
type Label struct {
	Key, Value string
}

func (l Label) String() string { return l.Key + "=" + l.Value }

// Metadata returns the OCI keys docker/metadata-action v6 writes for the
// image of ev, as its labels and annotations outputs list them (its
// src/meta.ts getOCIAnnotationsWithCustoms): every key, sorted, a key
// without a value kept with an empty one. The version is
// res.MainVersion(). Two keys differ on purpose: created is in.Created (the
// commit's time, metadata-action writes the time of the run) and is left
// out when unknown. Values are as the payload spells them: a caller
// writing one label per line makes them one line.
func Metadata(ev Event, res Result, in MetadataInput) []Label {
	repo := ev.Repo
	repo.FullName = cmp.Or(repo.FullName, ev.Repository, in.Repo.FullName)
	repo.Name = cmp.Or(repo.Name, in.Repo.Name)
	if repo.Name == "" {
		_, repo.Name, _ = strings.Cut(repo.FullName, "/")
	}
	repo.Description = cmp.Or(repo.Description, in.Repo.Description)
	repo.URL = cmp.Or(repo.URL, in.Repo.URL)
	repo.License = cmp.Or(repo.License, in.Repo.License)
	labels := []Label{
		{KeyDescription, repo.Description},
		{KeyLicenses, repo.License},
		{KeyRevision, ev.SHA},
		{KeySource, repo.URL},
		{KeyTitle, repo.Name},
		{KeyURL, repo.URL},
		{KeyVersion, res.MainVersion()},
	}
	if !in.Created.IsZero() {
		labels = append(labels, Label{KeyCreated, FormatCreated(in.Created)})
	}
	slices.SortFunc(labels, func(a, b Label) int { return strings.Compare(a.Key, b.Key) })
	return labels
}

// FormatCreated writes t as metadata-action writes created (JavaScript's
// Date.toISOString): UTC, milliseconds, "Z".
func FormatCreated(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// DefaultAnnotationLevels is the level docker/metadata-action annotates
// when DOCKER_METADATA_ANNOTATIONS_LEVELS is not set.
const DefaultAnnotationLevels = "manifest"

// levelPattern is a buildx annotation level: manifest, index,
// manifest-descriptor or index-descriptor, optionally for one platform
// (manifest[linux/amd64]).
var levelPattern = regexp.MustCompile(`^(manifest|index|manifest-descriptor|index-descriptor)(\[[A-Za-z0-9_./-]+\])?$`)

// ParseAnnotationLevels reads a comma-separated list of annotation levels,
// as DOCKER_METADATA_ANNOTATIONS_LEVELS holds it ("manifest,index"); empty
// means DefaultAnnotationLevels. Errors wrap ErrBadInput.
func ParseAnnotationLevels(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		s = DefaultAnnotationLevels
	}
	var levels []string
	for _, l := range strings.Split(s, ",") {
		l = strings.TrimSpace(l)
		if !levelPattern.MatchString(l) {
			return nil, badInput("use manifest, index, manifest-descriptor or index-descriptor, comma-separated (a platform may follow in brackets: manifest[linux/amd64])",
				"annotation level %q is not one buildx accepts", l)
		}
		if !slices.Contains(levels, l) {
			levels = append(levels, l)
		}
	}
	return levels, nil
}

// Annotations returns labels as buildx --annotation values, level by
// level ("manifest:org.opencontainers.image.version=v1.2.3"), as
// metadata-action's annotations output lists them.
func Annotations(labels []Label, levels []string) []string {
	out := make([]string, 0, len(labels)*len(levels))
	for _, level := range levels {
		for _, l := range labels {
			out = append(out, fmt.Sprintf("%s:%s", level, l))
		}
	}
	return out
}
