# Token Doctor. `make serve` and `make test` are the two commands of the README; both set up what is missing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PORT ?= 8080
WASM := target/wasm32-unknown-unknown/release/token_doctor.wasm
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 300

.PHONY: setup build serve test test-native test-wasm test-e2e lint dist bench fuzz matrices clean

setup:
	@scripts/setup.sh

## build: the two release engines (README, "Two engines"): the first engine (`--no-default-features`) into
## www/pkg/first/, the full one into www/pkg/. Each: wasm-bindgen, its JS snippet folded into the bindings (one
## request less before the first verdict), wasm-opt when binaryen is installed. `-ocimfs 0` keeps wasm-opt from
## inlining functions that have one caller: 4.7% less gzip at the same speed (README, Performance).
WASM_OPT_FLAGS := -Oz -ocimfs 0 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue
define package
	wasm-bindgen $(WASM) --out-dir $(1) --target web --no-typescript
	node scripts/inline-snippets.mjs $(1)/token_doctor.js
	@if [ -x node_modules/.bin/wasm-opt ]; then \
	  node_modules/.bin/wasm-opt $(1)/token_doctor_bg.wasm $(WASM_OPT_FLAGS) -o $(1)/token_doctor_bg.wasm; fi
	@ls -l $(1)/token_doctor_bg.wasm | awk '{print "[build] $(1)/token_doctor_bg.wasm: " $$5 " bytes"}'
endef

build:
	@scripts/setup.sh build
	cargo build --lib --release --target wasm32-unknown-unknown --no-default-features
	$(call package,www/pkg/first)
	cargo build --lib --release --target wasm32-unknown-unknown
	$(call package,www/pkg)

serve: build
	@echo "Token Doctor: http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	node scripts/serve.mjs www $(PORT)

lint: setup
	cargo fmt --check
	cargo fmt --check --manifest-path fuzz/Cargo.toml
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

test-native:
	cargo test

test-wasm: setup
	cargo test --target wasm32-unknown-unknown

test-e2e: setup build
	node --test --test-concurrency=1 tests/e2e/

## dist: the whole page in one self-contained file, dist/token-doctor.html (works from file://, no network)
dist: build
	node scripts/dist.mjs

test: setup lint test-native test-wasm test-e2e

## fuzz: each cargo-fuzz target for FUZZ_SECONDS (default 300) one after the other; needs nightly (says how if
## missing), installs cargo-fuzz if missing. Not part of `make test`. FUZZ_TARGETS="a b" runs only those.
FUZZ_SECONDS ?= 300
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_TARGETS)

## matrices: regenerate www/matrices/*.json from the public data (DATA=dir, default ../shared/data)
matrices:
	python3 scripts/gen_matrices.py $(DATA)

## bench: builds the release page and the single file, then measures them against the budgets of issue 8; prints
## one table and writes target/bench/results.json. A measurement, not a test: exits 0 whatever the figures.
## BENCH="size node native cold" runs only those sections. Adds the wasm32-wasip1 target (lookup timed as wasm).
bench: build
	-@rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	-$(MAKE) --no-print-directory dist
	node bench/run.mjs $(BENCH)

clean:
	cargo clean; rm -rf www/pkg dist
