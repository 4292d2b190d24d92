//go:build tools

// Package kube pins the Kubernetes API server the campus tests its chart against: a real
// kube-apiserver (with Debian's etcd) so Pod Security admission and server-side field
// validation judge the chart's objects and the spawner's workspace pod. It is a module of
// its own because k8s.io/kubernetes needs the replace directives in go.mod.
package kube

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
