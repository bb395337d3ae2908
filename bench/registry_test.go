// Package bench holds benchmarks run by the scripts beside it.
package bench

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/testtool"
)

// BenchmarkRegistry publishes 6, 24 and 96 tags into 1 and 3 repositories
// of the real distribution registry (htpasswd auth, on loopback), with
// sonic-release and, for the same tags, with a `crane tag` loop and with
// `crane copy`. It reports registry requests (all, and writes) per run;
// ns/op is the wall time of a run, processes included.
//
// One cycle is what CI does for one version: a push to master (tags
// master and master-<sha>) then the release vX.Y.0 (vX.Y.0, vX.Y, vX,
// latest): 6 tags per repository. 24 tags are 4 cycles, 96 are 16.
func BenchmarkRegistry(b *testing.B) {
	reg := registrytest.StartRegistry(b)
	craneBin := testtool.Path(b, "crane")
	bin := sonicReleaseBin(b)
	cfg := dockerConfig(b, reg.Host, reg.User, reg.Password)
	env := append(os.Environ(), "DOCKER_CONFIG="+cfg)

	// The builds CI pushed by digest, one per cycle.
	const maxCycles = 16
	srcs := make([]name.Digest, maxCycles)
	shas := make([]string, maxCycles)
	for c := range maxCycles {
		img, err := random.Image(4096, 3)
		if err != nil {
			b.Fatal(err)
		}
		ref, err := name.ParseReference(reg.Repo(fmt.Sprintf("build/app:c%d", c)))
		if err != nil {
			b.Fatal(err)
		}
		if err := remote.Write(ref, img, remote.WithAuthFromKeychain(reg.Keychain())); err != nil {
			b.Fatal(err)
		}
		d, _ := img.Digest()
		srcs[c] = ref.Context().Digest(d.String())
		shas[c] = fmt.Sprintf("%07x%033d", c+1, 0)
	}

	run := func(b *testing.B, args ...string) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	tools := []struct {
		name string
		run  func(b *testing.B, cycle int, repos []string)
	}{
		{"sonic-release", func(b *testing.B, c int, repos []string) {
			args := []string{bin, "release", "--source", srcs[c].String(), "--sha", shas[c]}
			for _, r := range repos {
				args = append(args, "--image", r)
			}
			run(b, append(args, "--ref", "refs/heads/master")...)
			run(b, append(args, "--ref", fmt.Sprintf("refs/tags/v1.%d.0", c))...)
		}},
		{"crane-tag-loop", func(b *testing.B, c int, repos []string) {
			for _, r := range repos {
				run(b, craneBin, "copy", srcs[c].String(), r+":master")
				for _, tag := range cycleTags(c)[1:] {
					run(b, craneBin, "tag", r+":master", tag)
				}
			}
		}},
		{"crane-copy", func(b *testing.B, c int, repos []string) {
			for _, r := range repos {
				for _, tag := range cycleTags(c) {
					run(b, craneBin, "copy", srcs[c].String(), r+":"+tag)
				}
			}
		}},
	}
	runID := 0 // fresh repositories for every run
	for _, tags := range []int{6, 24, 96} {
		for _, nrepos := range []int{1, 3} {
			for _, tool := range tools {
				b.Run(fmt.Sprintf("tags=%d/repos=%d/%s", tags, nrepos, tool.name), func(b *testing.B) {
					var reqs, writes int
					for range b.N {
						runID++
						b.StopTimer()
						repos := make([]string, nrepos)
						for j := range repos {
							repos[j] = reg.Repo(fmt.Sprintf("bench/%s-%d-%d-%d", tool.name, runID, nrepos, j))
						}
						reg.Counter.Reset()
						b.StartTimer()
						for c := range tags / 6 {
							tool.run(b, c, repos)
						}
						b.StopTimer()
						reqs += reg.Counter.Total()
						writes += len(reg.Counter.Writes())
					}
					b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
					b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
				})
			}
		}
	}
}

// cycleTags are the 6 tags of cycle c, in the order CI makes them.
func cycleTags(c int) []string {
	return []string{"master", fmt.Sprintf("master-%07x", c+1), fmt.Sprintf("v1.%d.0", c), fmt.Sprintf("v1.%d", c), "v1", "latest"}
}
