//go:build tools

// Keeps both gobgp main packages and their import graphs in go.mod/go.sum under `go mod tidy`.
package tools

import (
	_ "github.com/osrg/gobgp/v3/cmd/gobgp"
	_ "github.com/osrg/gobgp/v3/cmd/gobgpd"
)
