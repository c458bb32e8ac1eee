# Thin wrapper around CMake. See README.md.
#   make          build (release) into build/
#   make test     install missing packages, build (release, ASan+UBSan, and the
#                 clang libFuzzer harnesses), compile the build matrix, run
#                 ctest in the ASan+UBSan build
#   make builds   compile (no tests) every standard build configuration, with
#                 gcc and clang, into build-matrix/<name>
#   make demo     install missing packages, build, run the demo
#   make bench    benchmarks (not part of the test suite)
#   make deb      Debian packages (touchline, touchline-bridge) into deb/,
#                 checked with lintian
#   make deb-arm64  as root: the reader's package cross-built for arm64
#                 into deb/arm64/, its unit tests run under qemu-user, in a
#                 Debian 12 chroot kept in build-arm64/chroot (the :arm64
#                 -dev packages never go onto this machine; make clean
#                 leaves the chroot, rm -rf build-arm64 removes it)
#   make test-install  as root: build the packages, install them on this
#                 machine, send taps through the installed programs, purge
# Developer and CI builds treat warnings as errors (TOUCHLINE_WERROR); a plain
# cmake build, as a packager runs it, does not.
BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz
MATRIX_DIR ?= build-matrix
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
WERROR     ?= ON

# The build matrix, <compiler>-<configuration>: each CMake build type, and
# Debian's package flags as debhelper passes them (dpkg-buildflags with every
# hardening feature, CPPFLAGS folded into CFLAGS, build type None), at
# _FORTIFY_SOURCE=2 (Debian 12's level) and 3.
MATRIX_CONFS ?= release relwithdebinfo debug minsizerel dpkg dpkg-fortify3
MATRIX_CCS   ?= gcc clang
MATRIX       ?= $(foreach c,$(MATRIX_CCS),$(addprefix $(c)-,$(MATRIX_CONFS)))
MATRIX_BUILDS = $(addprefix $(MATRIX_DIR)/,$(MATRIX))
DEB_DIR    ?= deb

.PHONY: all deps deps-deb build build-san build-fuzz builds test demo bench clean deb deb-arm64 test-install

all: build

deps:
	@sh scripts/deps.sh

deps-deb:
	@sh scripts/deps.sh deb

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DTOUCHLINE_WERROR=$(WERROR) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-san:
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DTOUCHLINE_SANITIZE=ON \
		-DTOUCHLINE_FUZZ_DIR=$(abspath $(BUILD_FUZZ)) -DTOUCHLINE_WERROR=$(WERROR) >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)

build-fuzz:
	@CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DTOUCHLINE_FUZZ=ON \
		-DTOUCHLINE_WERROR=$(WERROR) >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS)

# Compile only; warnings fail the entry even where -Werror does not reach
# (the linker's). The unit tests run in the _FORTIFY_SOURCE=3 builds, whose
# checks act at run time. Always run: cmake --build knows what is out of date.
builds: $(MATRIX_BUILDS)

.PHONY: $(MATRIX_BUILDS)
$(MATRIX_BUILDS): $(MATRIX_DIR)/%:
	@echo "builds: $*"
	@set -e; cc=$$(echo $* | cut -d- -f1); conf=$$(echo $* | cut -d- -f2-); \
	case $$conf in \
	release) type=Release ;; relwithdebinfo) type=RelWithDebInfo ;; \
	debug) type=Debug ;; minsizerel) type=MinSizeRel ;; \
	dpkg|dpkg-fortify3) type=None; \
		export DEB_BUILD_MAINT_OPTIONS=hardening=+all; \
		if [ $$conf = dpkg-fortify3 ]; then \
			export DEB_CPPFLAGS_MAINT_APPEND="-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3"; fi; \
		export CFLAGS="$$(dpkg-buildflags --get CPPFLAGS) $$(dpkg-buildflags --get CFLAGS)"; \
		export LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" ;; \
	*) echo "builds: unknown configuration $$conf" >&2; exit 1 ;; \
	esac; \
	CC=$$cc cmake -S . -B $@ -DCMAKE_BUILD_TYPE=$$type -DTOUCHLINE_WERROR=$(WERROR) >/dev/null; \
	cmake --build $@ -j $(JOBS) >$@.log 2>&1 || { cat $@.log; exit 1; }; \
	if grep 'warning:' $@.log; then echo "builds: $* has warnings" >&2; exit 1; fi; \
	if [ $$conf = dpkg-fortify3 ]; then \
		(cd $@ && ctest -R '^unit\.' -j $(JOBS) >unit.log 2>&1) || \
			{ cat $@/unit.log; echo "builds: $*: unit tests failed" >&2; exit 1; }; fi

# The test suite also builds, installs and purges the Debian packages
# (deploy.install_deb, as root), so it needs what building them needs.
test: deps-deb build build-fuzz build-san builds
	@cd $(BUILD_SAN) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: deps build
	@bash scripts/demo.sh $(BUILD)

bench: deps build
	@bash bench/run.sh $(BUILD)

# Packages: the packaging tools are installed only for these targets.
deb:
	@sh scripts/deps.sh deb
	@sh scripts/build-deb.sh $(DEB_DIR) $(JOBS)

deb-arm64:
	@sh scripts/deps.sh arm64
	@sh scripts/build-deb.sh $(DEB_DIR)/arm64 $(JOBS) arm64

test-install: deb
	@bash tests/integration/install_deb.sh $(DEB_DIR)

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ) $(MATRIX_DIR) $(DEB_DIR)
