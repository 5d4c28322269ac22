//go:build tools

// Keeps etcd's main package (go.etcd.io/etcd/server/v3 is itself package main) and its whole import graph
// in go.mod/go.sum under `go mod tidy`; never compiled thanks to the build tag.
package tools

import _ "go.etcd.io/etcd/server/v3"
