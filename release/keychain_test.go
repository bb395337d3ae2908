package release_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/release"
)

// TestGitHubKeychain: the docker config first, then the GitHub token for
// ghcr.io only.
func TestGitHubKeychain(t *testing.T) {
	empty := t.TempDir()
	withLogin := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("robot:from-docker-login"))
	if err := os.WriteFile(filepath.Join(withLogin, "config.json"), []byte(`{"auths":{"ghcr.io":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dockerConfig, token, actor, registry string
		want                                       *authn.AuthConfig
	}{
		{"ghcr with a token", empty, "ghs_x", "octocat", "ghcr.io", &authn.AuthConfig{Username: "octocat", Password: "ghs_x"}},
		{"ghcr without an actor", empty, "ghs_x", "", "ghcr.io", &authn.AuthConfig{Username: "x-access-token", Password: "ghs_x"}},
		{"ghcr without a token", empty, "", "octocat", "ghcr.io", nil},
		{"another registry", empty, "ghs_x", "octocat", "docker.io", nil},
		{"docker login wins over the token", withLogin, "ghs_x", "octocat", "ghcr.io", &authn.AuthConfig{Username: "robot", Password: "from-docker-login"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DOCKER_CONFIG", tt.dockerConfig)
			reg, _ := name.NewRegistry(tt.registry)
			a, err := release.GitHubKeychain(tt.token, tt.actor).Resolve(reg)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if a != authn.Anonymous {
					t.Errorf("got %v, want anonymous", a)
				}
				return
			}
			got, err := a.Authorization()
			if err != nil || got.Username != tt.want.Username || got.Password != tt.want.Password {
				t.Errorf("got %+v (%v), want %+v", got, err, tt.want)
			}
		})
	}
}
