package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/digitorus/timestamp"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// timestampSignature gets an RFC 3161 timestamp over the raw signature
// bytes from the timestamp authority at url, as cosign does, and returns
// the DER response.
func timestampSignature(ctx context.Context, client *http.Client, url string, sig []byte) ([]byte, error) {
	nonce, err := cryptoutils.GenerateSerialNumber()
	if err != nil {
		return nil, err
	}
	tsq, err := timestamp.CreateRequest(bytes.NewReader(sig), &timestamp.RequestOptions{
		Hash:         crypto.SHA256,
		Certificates: true,
		Nonce:        nonce,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the timestamp request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(tsq))
	if err != nil {
		return nil, fmt.Errorf("timestamp authority URL %q: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("requesting a timestamp from %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the timestamp from %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("requesting a timestamp from %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("parsing the timestamp from %s: %w", url, err)
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("the timestamp from %s does not carry the request's nonce", url)
	}
	return body, nil
}

// certIdentity reads the keyless identity of a Fulcio certificate.
func certIdentity(cert *x509.Certificate) (Identity, error) {
	sans := cryptoutils.GetSubjectAlternateNames(cert)
	if len(sans) == 0 {
		return Identity{}, fmt.Errorf("the certificate has no subject alternative name")
	}
	ce := cosign.CertExtensions{Cert: cert}
	return Identity{Subject: sans[0], Issuer: ce.GetIssuer()}, nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
