# make run   installs what is missing, builds, serves the demo city on SQLite
# make test  runs every test on SQLite and PostgreSQL
# make bench runs the benchmarks (see docs/benchmarks.md)
# make screenshots  refreshes docs/screenshots (the browser tests, zh-CN)
.PHONY: run build test bench format clean screenshots

WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

build: web/dist/index.html
	scripts/deps.sh
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j2

web/node_modules/.package-lock.json: web/package-lock.json
	scripts/deps.sh
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

screenshots: build
	cd web && SCREENSHOTS=../docs/screenshots node e2e/run.mjs

run: build
	./build/src/app/dangjiao serve --demo

test:
	scripts/test.sh

bench:
	scripts/bench.sh

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf build
