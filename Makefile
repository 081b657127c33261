# phusong — two commands do everything on a fresh Debian/Ubuntu machine with Rust:
#   make demo   the whole Nghệ An study on the embedded data → out/nghe-an/
#   make test   the test suite (adds the tests that read ../shared when it exists)
SHARED ?= ../shared
REAL := $(SHARED)/data/nghe-an
IGNORED := $(if $(wildcard $(SHARED)/data),--include-ignored,)

.PHONY: deps deps-qgis build demo demo-real test lint bench check-qgis clean

deps:
	@scripts/install-deps.sh

deps-qgis:
	@scripts/install-deps.sh --qgis

build: deps
	cargo build --release

demo: build
	@start=$$(date +%s); ./target/release/phusong demo && echo "demo wall time: $$(( $$(date +%s) - start )) s"

# The same study with the real commune polygons (census population) and roads from $(REAL).
demo-real: build
	./target/release/phusong demo --real-layers $(REAL) --out out/nghe-an-real

test: deps-qgis
	cargo test --lib --bins --tests -- $(IGNORED)
	cargo test --doc
	cargo test --benches

lint: deps
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

bench: build
	cargo bench --bench coverage

check-qgis: deps-qgis
	$(SHARED)/tools/qgis-check out/nghe-an/project.qgs --png out/nghe-an/map.png

clean:
	cargo clean
	rm -rf out
