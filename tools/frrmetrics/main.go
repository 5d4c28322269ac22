// frr-metrics is the `frr-metrics` container of the speaker DaemonSet in FRR mode (render/frr.ts): copied
// from the speaker image by the `cp-metrics` init container and run inside the FRR image, where there is no
// Node, hence a static Go binary (stdlib only). It exports FRR's BGP and BFD session state with upstream
// MetalLB frr-metrics' names (frr-tools/metrics/exporter.go and collector/), read through vtysh on each
// scrape, and answers the frr container's liveness probe on /livez. It serves HTTPS with
// --tls-cert-file/--tls-private-key-file (the service CA's certificate on OpenShift) and the --tls-* flags,
// plain HTTP otherwise.
//
// Over HTTPS, /metrics is behind a TokenReview and a SubjectAccessReview as upstream main's (auth.go);
// --authorize-metrics=false turns that off.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	port            uint
	bindAddress     string
	metricsPath     string
	certFile        string
	keyFile         string
	tls             tlsSettings
	vtyshPath       string
	vtySocket       string
	requiredDaemons []string
	// authorizeMetrics: "auto" (with HTTPS), "true" or "false".
	authorizeMetrics string
	kubeServer       string
	kubeTokenFile    string
	kubeCAFile       string
}

// wantsAuthorization: auto follows HTTPS, as render/frr.ts's monitors send a bearer token only over HTTPS.
func (o options) wantsAuthorization() bool {
	return o.authorizeMetrics == "true" || (o.authorizeMetrics == "auto" && o.certFile != "")
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("frr-metrics", flag.ContinueOnError)
	fs.UintVar(&o.port, "metrics-port", 7473, "port to serve /metrics and /livez on")
	fs.StringVar(&o.bindAddress, "metrics-bind-address", "0.0.0.0", "address to listen on")
	fs.StringVar(&o.metricsPath, "metrics-path", "/metrics", "path of the metrics endpoint")
	fs.StringVar(&o.certFile, "tls-cert-file", "", "x509 certificate for HTTPS; HTTP when empty")
	fs.StringVar(&o.keyFile, "tls-private-key-file", "", "x509 private key matching --tls-cert-file")
	fs.StringVar(&o.tls.minVersion, "tls-min-version", "", "minimum TLS version, VersionTLS10 to VersionTLS13 (default VersionTLS12)")
	fs.StringVar(&o.tls.cipherSuites, "tls-cipher-suites", "", "comma-separated IANA cipher suite names (TLS 1.2 and below)")
	fs.StringVar(&o.tls.curvePreferences, "tls-curve-preferences", "", "comma-separated CurveIDs or curve names")
	fs.StringVar(&o.vtyshPath, "vtysh-path", "vtysh", "vtysh binary, a path or a name on PATH")
	fs.StringVar(&o.vtySocket, "vty-socket", "", "FRR's vty socket folder, when not vtysh's default /var/run/frr")
	daemons := fs.String("required-daemons", "bfdd,bgpd,staticd,watchfrr,zebra", "daemons /livez requires in `show daemons` (upstream's list)")
	fs.StringVar(&o.authorizeMetrics, "authorize-metrics", "auto", "TokenReview and SubjectAccessReview on /metrics: auto (with HTTPS), true or false")
	fs.StringVar(&o.kubeServer, "kube-api-server", inClusterServer(), "apiserver URL for the reviews (default: in-cluster)")
	fs.StringVar(&o.kubeTokenFile, "kube-token-file", serviceAccountTokenFile, "bearer token the reviews are made with")
	fs.StringVar(&o.kubeCAFile, "kube-ca-file", serviceAccountCAFile, "CA bundle of the apiserver")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.port == 0 || o.port > 65535 {
		return o, &FlagError{"metrics-port", fmt.Sprintf("%d is not a port", o.port)}
	}
	if (o.certFile == "") != (o.keyFile == "") {
		return o, &FlagError{"tls-cert-file", "--tls-cert-file and --tls-private-key-file go together"}
	}
	switch o.authorizeMetrics {
	case "auto", "true", "false":
	default:
		return o, &FlagError{"authorize-metrics", fmt.Sprintf("%q: auto, true or false", o.authorizeMetrics)}
	}
	o.requiredDaemons = splitList(*daemons)
	return o, nil
}

// reloadingCertificate rereads the key pair when the certificate file changes, so a rotated service-CA
// certificate is served without a restart.
func reloadingCertificate(certFile, keyFile string) (func(*tls.ClientHelloInfo) (*tls.Certificate, error), error) {
	var cached *tls.Certificate
	var cachedMod time.Time
	load := func() (*tls.Certificate, error) {
		st, err := os.Stat(certFile)
		if err != nil {
			return nil, err
		}
		if cached != nil && st.ModTime().Equal(cachedMod) {
			return cached, nil
		}
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		cached, cachedMod = &pair, st.ModTime()
		return cached, nil
	}
	if _, err := load(); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	return func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		mu.Lock()
		defer mu.Unlock()
		return load()
	}, nil
}

func run(args []string) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	vtysh := execVtysh(o.vtyshPath, o.vtySocket)
	mux := http.NewServeMux()
	var metrics http.Handler = metricsHandler(vtysh, log)
	if o.wantsAuthorization() {
		kube, err := newKubeClient(o.kubeServer, o.kubeTokenFile, o.kubeCAFile)
		if err != nil {
			return err
		}
		metrics = requireAuthorization(kube, o.metricsPath, metrics, log)
	}
	mux.Handle(o.metricsPath, metrics)
	mux.Handle("/livez", livezHandler(vtysh, o.requiredDaemons, log))
	srv := &http.Server{
		Addr:              net.JoinHostPort(o.bindAddress, strconv.FormatUint(uint64(o.port), 10)),
		Handler:           mux,
		ReadHeaderTimeout: 3 * time.Second,
	}
	https := o.certFile != ""
	if https {
		cfg, err := serverTLSConfig(o.tls)
		if err != nil {
			return err
		}
		if cfg.GetCertificate, err = reloadingCertificate(o.certFile, o.keyFile); err != nil {
			return fmt.Errorf("--tls-cert-file %s, --tls-private-key-file %s: %w", o.certFile, o.keyFile, err)
		}
		srv.TLSConfig = cfg
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	log.Info("frr-metrics serving", "address", ln.Addr().String(), "https", https, "path", o.metricsPath,
		"authorized", o.wantsAuthorization())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	done := make(chan error, 1)
	go func() {
		if https {
			done <- srv.ServeTLS(ln, "", "")
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "frr-metrics:", err)
		os.Exit(1)
	}
}
