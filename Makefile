# The README's two commands are `make demo` and `make test`; everything else is a step they use.
SHELL := /bin/bash
.PHONY: test test-unit demo demo-down e2e-clean crds lint typecheck deps

deps:
	scripts/ensure-npm.sh

test:
	scripts/test.sh

test-unit: deps
	IRONLB_TEST_PROJECTS=unit scripts/test.sh

typecheck: deps
	npm run --silent typecheck

lint: deps
	npm run --silent lint

crds: deps
	npm run --silent gen:crds

demo:
	scripts/demo.sh

demo-down:
	scripts/demo.sh down

