# The sonic-release image: the static binary on a distroless base. Built by
# .github/workflows/release.yml, then tagged and signed by sonic-release itself.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/sonic-release ./cmd/sonic-release

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/sonic-release /usr/local/bin/sonic-release
ENTRYPOINT ["/usr/local/bin/sonic-release"]
