# Thin wrapper around CMake. See README.md.
#   make          build (release) into build/
#   make test     install missing packages, build (release, ASan+UBSan, and the
#                 clang libFuzzer harnesses), run ctest in the ASan+UBSan build
#   make demo     install missing packages, build, run the demo
#   make bench    benchmarks (not part of the test suite)
BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build build-san build-fuzz test demo bench clean

all: build

deps:
	@sh scripts/deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-san:
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DTOUCHLINE_SANITIZE=ON \
		-DTOUCHLINE_FUZZ_DIR=$(abspath $(BUILD_FUZZ)) >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)

build-fuzz:
	@CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DTOUCHLINE_FUZZ=ON >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS)

test: deps build build-fuzz build-san
	@cd $(BUILD_SAN) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: deps build
	@bash scripts/demo.sh $(BUILD)

bench: deps build
	@bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
