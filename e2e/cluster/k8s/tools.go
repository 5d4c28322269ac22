//go:build tools

// Blank imports of the main packages we build, so `go mod tidy` keeps every module they need in go.mod and
// go.sum. The build tag keeps this file out of any real compilation (main packages are not importable).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
