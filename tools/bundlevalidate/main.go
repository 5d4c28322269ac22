// bundlevalidate runs operator-framework/api's validators (pkg/validation, the checks behind
// `operator-sdk bundle validate`) on a registry+v1 bundle folder: the default bundle validators, the
// OperatorHub suite (v2, standard capabilities and categories), good practices, the deprecated and removed
// APIs check for the Kubernetes version the bundle targets, and the checks of the objects a bundle may carry.
// The multi-architecture validator is left out: it pulls every image with docker or podman to read its
// manifest list, and no container engine runs where this is built and tested.
//
// It prints one JSON document (every error and warning, with the validator that raised it) and exits 1 when
// there is any error or any warning, 2 when the bundle cannot be loaded, 0 otherwise, so CI fails on both.
//
// Usage: bundlevalidate -k8s-version 1.34 bundle/
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	apimanifests "github.com/operator-framework/api/pkg/manifests"
	apivalidation "github.com/operator-framework/api/pkg/validation"
	apierrors "github.com/operator-framework/api/pkg/validation/errors"
	interfaces "github.com/operator-framework/api/pkg/validation/interfaces"
)

type suite struct {
	name       string
	validators interfaces.Validators
}

// The suites by the names operator-sdk gives them (`--select-optional suite=operatorframework` is the
// optional ones together); every validator is named so a finding says which check raised it.
func suites() []suite {
	return []suite{
		{"default:csv", interfaces.Validators{apivalidation.ClusterServiceVersionValidator}},
		{"default:crd", interfaces.Validators{apivalidation.CustomResourceDefinitionValidator}},
		{"default:bundle", interfaces.Validators{apivalidation.BundleValidator}},
		{"operatorhub:v2", interfaces.Validators{apivalidation.OperatorHubV2Validator}},
		{"operatorhub:capabilities", interfaces.Validators{apivalidation.StandardCapabilitiesValidator}},
		{"operatorhub:categories", interfaces.Validators{apivalidation.StandardCategoriesValidator}},
		{"good-practices", interfaces.Validators{apivalidation.GoodPracticesValidator}},
		{"deprecated-apis", interfaces.Validators{apivalidation.AlphaDeprecatedAPIsValidator}},
		{"objects", interfaces.Validators{apivalidation.ObjectValidator}},
	}
}

type finding struct {
	Suite  string `json:"suite"`
	Object string `json:"object"`
	Level  string `json:"level"`
	Type   string `json:"type"`
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
}

type report struct {
	Bundle     string    `json:"bundle"`
	K8sVersion string    `json:"k8sVersion"`
	Suites     []string  `json:"suites"`
	Errors     int       `json:"errors"`
	Warnings   int       `json:"warnings"`
	Findings   []finding `json:"findings"`
}

func toFinding(s string, object string, e apierrors.Error) finding {
	return finding{Suite: s, Object: object, Level: string(e.Level), Type: string(e.Type), Field: e.Field, Detail: e.Error()}
}

func main() {
	k8sVersion := flag.String("k8s-version", "", "Kubernetes version the bundle targets (the deprecated-APIs and OperatorHub checks)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: bundlevalidate [-k8s-version X.Y] BUNDLE_DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir := flag.Arg(0)
	bundle, err := apimanifests.GetBundleFromDir(dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bundlevalidate: cannot load the bundle in %s: %v\n", dir, err)
		os.Exit(2)
	}
	// What operator-sdk passes: the bundle's typed objects, the bundle itself, and the optional values.
	objs := bundle.ObjectsToValidate()
	objs = append(objs, map[string]string{"k8s-version": *k8sVersion})

	out := report{Bundle: dir, K8sVersion: *k8sVersion, Findings: []finding{}}
	for _, s := range suites() {
		out.Suites = append(out.Suites, s.name)
		for _, result := range s.validators.Validate(objs...) {
			for _, e := range result.Errors {
				out.Errors++
				out.Findings = append(out.Findings, toFinding(s.name, result.Name, e))
			}
			for _, w := range result.Warnings {
				out.Warnings++
				out.Findings = append(out.Findings, toFinding(s.name, result.Name, w))
			}
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "bundlevalidate: %v\n", err)
		os.Exit(2)
	}
	if out.Errors > 0 || out.Warnings > 0 {
		os.Exit(1)
	}
}
