package main

// The I/O edge: one vtysh call per command, as upstream's frr-tools/metrics/vtysh/vtysh.go, with a deadline
// so a hung daemon fails a scrape instead of holding it.

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// vtyshRunner runs one vtysh command and returns its standard output.
type vtyshRunner func(ctx context.Context, command string) ([]byte, error)

const vtyshTimeout = 10 * time.Second

// execVtysh runs binary (a path, or a name looked up on PATH) with `-c command`; socketDir, when set, is
// passed as --vty_socket for an FRR whose sockets are not at /var/run/frr.
func execVtysh(binary, socketDir string) vtyshRunner {
	return func(ctx context.Context, command string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, vtyshTimeout)
		defer cancel()
		var args []string
		if socketDir != "" {
			args = append(args, "--vty_socket", socketDir)
		}
		args = append(args, "-c", command)
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, binary, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("vtysh -c %q: %w: %s", command, err, strings.TrimSpace(stderr.String()))
		}
		return stdout.Bytes(), nil
	}
}
