# repobuild: see README.md. The two commands for a fresh Debian machine are
# `make example` (the main job, into ./out) and `make test` (every test).
GO ?= go
BIN := bin

.PHONY: all tools example test unit fuzz bench reliability setup start stop fresh-check clean release lint

all: tools

# repobuild, and buildkitd/buildctl at the version go.mod pins (tool directive),
# stamped with that version as BuildKit's own release builds are.
BUILDKIT_VERSION = $(shell $(GO) list -m -f '{{.Version}}' github.com/moby/buildkit)
BUILDKIT_LDFLAGS = -X github.com/moby/buildkit/version.Version=$(BUILDKIT_VERSION) \
	-X github.com/moby/buildkit/version.Package=github.com/moby/buildkit

# repobuild's version: the checkout's commit, as the frontend image's.
REPOBUILD_VERSION := $(shell r=$$(git rev-parse --short=12 HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null && echo git-$$r || echo git-$$r-dirty; })
REPOBUILD_LDFLAGS = $(if $(REPOBUILD_VERSION),-X github.com/repobuild/repobuild/internal/version.Version=$(REPOBUILD_VERSION))

tools:
	$(GO) build -ldflags "$(REPOBUILD_LDFLAGS)" -o $(BIN)/ ./cmd/repobuild
	$(GO) build -ldflags "$(BUILDKIT_LDFLAGS)" -o $(BIN)/ github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl

example:
	scripts/example.sh

# repobuild for linux and darwin, amd64 and arm64, into dist/ with SHA256SUMS
# (VERSION=v1.2.0 to name the version; default: git describe).
release:
	scripts/release.sh

test:
	scripts/test.sh

# Tests that need no daemon.
unit:
	$(GO) test ./...

# Every fuzz target (func FuzzX) for FUZZTIME each; its seed corpora under
# testdata/fuzz/ also run in `make unit`.
FUZZTIME ?= 10s
fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

bench:
	scripts/bench.sh

# The mirror faults tried (e2e/faults_test.go) and what repobuild did: a table.
reliability:
	scripts/reliability.sh

# actionlint (pinned; built by make setup) on every workflow and action.
lint:
	scripts/actionlint.sh

setup:
	scripts/setup.sh

start:
	scripts/start.sh

stop:
	scripts/stop.sh

# The README's two commands back to back in a fresh clone of HEAD (15+ min).
fresh-check:
	scripts/fresh-check.sh

clean:
	rm -rf $(BIN) out dist
