# make run   installs what is missing, builds, serves the demo city on SQLite
# make test  runs every test on SQLite and PostgreSQL
# make bench runs the benchmarks (see docs/benchmarks.md)
.PHONY: run build test bench format clean

build:
	scripts/deps.sh
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j2

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
