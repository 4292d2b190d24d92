//go:build tools

// Package tools pins the upstream command-line tools the campus builds from source:
// the OPA server and CLI, and helm. Building them from this module (instead of
// `go install pkg@version`) sidesteps the replace directives in their own go.mod files.
package tools

import (
	_ "github.com/open-policy-agent/opa"
	_ "helm.sh/helm/v3/cmd/helm"
)
