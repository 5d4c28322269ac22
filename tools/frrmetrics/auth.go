package main

// /metrics behind Kubernetes authentication and authorization, as upstream main's frr-metrics serves it
// (controller-runtime's filters.WithAuthenticationAndAuthorization) and as ironlb's controller does
// (kube/securemetrics.ts): the caller's bearer token goes through a TokenReview, and the user it names must
// be allowed `get` on the non-resource URL of the metrics path (a SubjectAccessReview). The pod's
// ServiceAccount makes both calls; the speaker's ClusterRole grants them (render/speakerrbac.ts).

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"
)

// The in-cluster defaults: a Pod's ServiceAccount files and the kubernetes Service's variables.
const (
	serviceAccountTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
	serviceAccountCAFile    = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
)

// kubeClient posts review objects to the apiserver as the pod's ServiceAccount.
type kubeClient struct {
	server    string
	tokenFile string
	http      *http.Client
}

// inClusterServer is https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, "" outside a cluster.
func inClusterServer() string {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return ""
	}
	return "https://" + net.JoinHostPort(host, port)
}

func newKubeClient(server, tokenFile, caFile string) (*kubeClient, error) {
	if server == "" {
		return nil, &FlagError{"kube-api-server", "no apiserver: not in a cluster (KUBERNETES_SERVICE_HOST unset) and no --kube-api-server"}
	}
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, &FlagError{"kube-ca-file", err.Error()}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, &FlagError{"kube-ca-file", caFile + " holds no PEM certificate"}
	}
	if _, err := os.Stat(tokenFile); err != nil {
		return nil, &FlagError{"kube-token-file", err.Error()}
	}
	return &kubeClient{
		server:    strings.TrimSuffix(server, "/"),
		tokenFile: tokenFile,
		http: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		},
	}, nil
}

// post sends body and decodes the answer into out. The token is reread on each call: the kubelet rotates
// projected ServiceAccount tokens in place.
func (c *kubeClient) post(ctx context.Context, path string, body, out any) error {
	token, err := os.ReadFile(c.tokenFile)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.server+path, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %s", path, res.Status, strings.TrimSpace(string(data)))
	}
	return json.Unmarshal(data, out)
}

type userInfo struct {
	Username string              `json:"username,omitempty"`
	UID      string              `json:"uid,omitempty"`
	Groups   []string            `json:"groups,omitempty"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

var bearerPattern = regexp.MustCompile(`^(?i:bearer)\s+(\S+)$`)

// authorize answers 200 when the bearer token in authorization belongs to a user allowed `get` on path, 401
// without a valid token, 403 when the user is not allowed; an error when a review cannot be made.
func (c *kubeClient) authorize(ctx context.Context, authorization, path string) (int, error) {
	m := bearerPattern.FindStringSubmatch(authorization)
	if m == nil {
		return http.StatusUnauthorized, nil
	}
	var review struct {
		Status struct {
			Authenticated bool     `json:"authenticated"`
			User          userInfo `json:"user"`
		} `json:"status"`
	}
	err := c.post(ctx, "/apis/authentication.k8s.io/v1/tokenreviews", map[string]any{
		"apiVersion": "authentication.k8s.io/v1",
		"kind":       "TokenReview",
		"spec":       map[string]any{"token": m[1]},
	}, &review)
	if err != nil {
		return 0, err
	}
	if !review.Status.Authenticated {
		return http.StatusUnauthorized, nil
	}
	u := review.Status.User
	var access struct {
		Status struct {
			Allowed bool `json:"allowed"`
		} `json:"status"`
	}
	err = c.post(ctx, "/apis/authorization.k8s.io/v1/subjectaccessreviews", map[string]any{
		"apiVersion": "authorization.k8s.io/v1",
		"kind":       "SubjectAccessReview",
		"spec": map[string]any{
			"user":                  u.Username,
			"uid":                   u.UID,
			"groups":                u.Groups,
			"extra":                 u.Extra,
			"nonResourceAttributes": map[string]string{"path": path, "verb": "get"},
		},
	}, &access)
	if err != nil {
		return 0, err
	}
	if !access.Status.Allowed {
		return http.StatusForbidden, nil
	}
	return http.StatusOK, nil
}

// requireAuthorization lets a request through to next only when authorize answers 200.
func requireAuthorization(c *kubeClient, path string, next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, err := c.authorize(r.Context(), r.Header.Get("Authorization"), path)
		if err != nil {
			log.Error("cannot review the scraper's token", "error", err.Error())
			http.Error(w, "cannot review the token", http.StatusInternalServerError)
			return
		}
		if code != http.StatusOK {
			http.Error(w, http.StatusText(code), code)
			return
		}
		next.ServeHTTP(w, r)
	})
}
