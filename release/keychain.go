package release

import (
	"cmp"

	"github.com/google/go-containerregistry/pkg/authn"
)

// GitHubKeychain is where a release job finds registry credentials: the
// docker config (~/.docker/config.json, what `docker login` and
// docker/login-action write) first, then, for ghcr.io only, the GitHub token
// (GITHUB_TOKEN in a workflow) as the password of actor (GITHUB_ACTOR;
// "x-access-token" when empty). With an empty token only the docker config
// is used.
func GitHubKeychain(token, actor string) authn.Keychain {
	return authn.NewMultiKeychain(authn.DefaultKeychain, ghcrToken{token: token, user: actor})
}

// ghcrToken authenticates to ghcr.io with a GitHub token.
type ghcrToken struct{ token, user string }

func (k ghcrToken) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if k.token == "" || r.RegistryStr() != "ghcr.io" {
		return authn.Anonymous, nil
	}
	return &authn.Basic{Username: cmp.Or(k.user, "x-access-token"), Password: k.token}, nil
}
