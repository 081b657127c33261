# phusong — two commands do everything on a fresh Debian/Ubuntu machine with Rust:
#   make demo   the whole Nghệ An study on the embedded data → out/nghe-an/
#   make test   the test suite (adds the tests that read ../shared when it exists)
SHARED ?= ../shared
REAL := $(SHARED)/data/nghe-an
IGNORED := $(if $(wildcard $(SHARED)/data),--include-ignored,)

.PHONY: deps deps-qgis build demo demo-real demo-itm test lint bench check-qgis clean

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

# The study with Longley-Rice (ITM) over the terrain instead of Hata + Deygout, at 180 m (ITM reaches
# 20–25 km per site; at 90 m it would take roughly 1.5 hours on 2 cores).
demo-itm: build
	@start=$$(date +%s); ./target/release/phusong demo --model itm --resolution-m 180 --out out/nghe-an-itm && echo "demo wall time: $$(( $$(date +%s) - start )) s"

test: deps-qgis
	cargo test --workspace --lib --bins --tests -- $(IGNORED)
	$(if $(IGNORED),,cargo test --test mutation -- --ignored)
	cargo test --workspace --doc
	cargo test --benches

lint: deps
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

bench: build
	cargo bench --bench coverage --bench itm

# Opens the demo's project in real QGIS (every layer must be valid), renders the default view to
# map.png and exports the project's A3 print layout to map.pdf (PyQGIS, QgsLayoutExporter).
check-qgis: deps-qgis
	$(SHARED)/tools/qgis-check out/nghe-an/project.qgs --png out/nghe-an/map.png
	scripts/qgis_layout_pdf.py out/nghe-an/project.qgs out/nghe-an/map.pdf

clean:
	cargo clean
	rm -rf out
