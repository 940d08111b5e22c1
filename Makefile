# ConvAlgebra — the two commands a newcomer needs are `make demo` and `make test`.
# Every target installs what is missing first (Debian packages only when absent).

SWIFT       ?= swift
APT_PACKAGES = libopenblas-dev liblapacke-dev libfftw3-dev pkg-config
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The commit every build here is made from, compiled into the binaries (Package.swift → ConvAlgebraVersion.commit, the
# benchmark provenance): git's HEAD, `-dirty` when the work tree differs from it; empty outside a checkout.
ifndef CONVALGEBRA_COMMIT
CONVALGEBRA_COMMIT := $(shell c=$$(git rev-parse HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null && echo $$c || echo $$c-dirty; })
endif
export CONVALGEBRA_COMMIT

.PHONY: all deps build release demo test test-python test-portable check-aarch64 example fixtures fixtures-torch clean \
        install uninstall docs snippets check-downstream

all: build

# Install the C libraries (CBLAS from OpenBLAS, LAPACKE, FFTW) when any is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "error: swift is not on PATH (Swift 6.1 or newer is needed)"; exit 1; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job: the reference text's matrices and identities, each checked, then a short
# matrix-vs-direct timing table, all on built-in defaults.
demo: deps
	$(SWIFT) build -c release --product Demo
	./.build/release/Demo

# The README's library example is an executable target, built and run here so it cannot rot.
example: deps
	$(SWIFT) build --product ReadmeExample
	./.build/debug/ReadmeExample

# The test suite: builds the CLI first (the CLI tests run the binary, the README test runs README.md's shell
# blocks against it), then Swift Testing, then the README example and every snippet of the docs (DocSnippets).
test: deps
	$(SWIFT) build
	$(SWIFT) test
	$(SWIFT) run ReadmeExample > /dev/null
	@echo "README example: ran"
	$(SWIFT) run DocSnippets > /dev/null
	@echo "doc snippets: ran"
	@$(MAKE) --no-print-directory test-python

# Sources/DocSnippets is generated from the ```swift blocks of README.md, Guides/ and the DocC articles;
# DocSnippetsTests fails while it differs from them, and this target rewrites it.
snippets:
	$(SWIFT) build --build-tests
	CONVALGEBRA_WRITE_SNIPPETS=1 $(SWIFT) test --skip-build --filter DocSnippetsTests || true
	$(SWIFT) test --skip-build --filter DocSnippetsTests

# The CLI, release build, copied to $(PREFIX)/bin (default ~/.local/bin; PREFIX=/usr/local for everyone).
PREFIX ?= $(HOME)/.local
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 .build/release/convalgebra $(DESTDIR)$(PREFIX)/bin/convalgebra
	@echo "installed $(DESTDIR)$(PREFIX)/bin/convalgebra"; \
	case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "add it to PATH: export PATH=\"$(PREFIX)/bin:\$$PATH\"";; esac

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/convalgebra

# The DocC catalog of the ConvAlgebra module (Sources/ConvAlgebra/ConvAlgebra.docc) as a static site in
# $(DOCS_DIR), through swift-docc-plugin; fails on any DocC warning (the log is $(DOCS_DIR).log).
DOCS_DIR ?= .build/docs
docs: deps
	scripts/make-docs.sh $(DOCS_DIR)

# A throw-away package that depends on this one by path and imports ConvAlgebra, built from scratch (debug):
# fails on any compiler warning, as a user's build would show them.
check-downstream: deps
	scripts/check-downstream.sh


# The Python bridge (python/): pytest against the debug CLI that `make test` just built, the package imported from
# the source tree. The tests need Python 3 with numpy, scipy and pytest: from a venv python/.venv made here (pip
# install numpy scipy pytest; needs the network once), else from the system python if it has all three. When
# neither works this says, loudly, that the bridge tests were NOT run and why; it does not fail `make test`
# (the Swift library does not need Python).
PYTHON_BRIDGE_VENV = python/.venv
test-python:
	@py=""; why=""; \
	if ! command -v $(PYTHON) >/dev/null 2>&1; then why="$(PYTHON) is not on PATH"; \
	elif [ -x $(PYTHON_BRIDGE_VENV)/bin/python ] && $(PYTHON_BRIDGE_VENV)/bin/python -c "import numpy, scipy, pytest" 2>/dev/null; then \
	  py=$(PYTHON_BRIDGE_VENV)/bin/python; \
	elif $(PYTHON) -m venv $(PYTHON_BRIDGE_VENV) >/dev/null 2>&1 && $(PYTHON_BRIDGE_VENV)/bin/pip install -q numpy scipy pytest >/dev/null 2>&1; then \
	  py=$(PYTHON_BRIDGE_VENV)/bin/python; \
	elif $(PYTHON) -c "import numpy, scipy, pytest" 2>/dev/null; then \
	  py=$(PYTHON); \
	else why="no venv could be made in $(PYTHON_BRIDGE_VENV) (python3-venv missing or no network for pip) and $(PYTHON) lacks numpy, scipy or pytest"; fi; \
	if [ -z "$$py" ]; then \
	  echo "*** Python bridge tests NOT RUN: $$why."; \
	  echo "*** Install python3-venv (or numpy, scipy, pytest for $(PYTHON)) and run: make test-python"; \
	else \
	  echo "Python bridge tests ($$py):"; \
	  PYTHONPATH=$(CURDIR)/python CONVALGEBRA_BIN=$(CURDIR)/.build/debug/convalgebra $$py -m pytest -q -p no:cacheprovider python/tests || exit 1; \
	fi

# The whole suite on the portable C kernels (CONVALGEBRA_ISA=portable: no AVX2 or AVX-512 path, as on aarch64);
# it must pass as `make test` does. `swift test` builds every target of the package, the CLI the tests run
# included; a separate `swift build` here also built the package plugins' tools (swift-protobuf's protoc, ~650 C++
# files: 9 of CI's 27 minutes), and `swift build --product convalgebra` recompiles SwiftProtobuf.
test-portable: deps
	CONVALGEBRA_ISA=portable $(SWIFT) test

# The C target compiles for aarch64 Linux (no x86 intrinsic leaks out of its #if): a cross compile of every
# file against Debian's arm64 libc headers, installed when missing. CC_AARCH64 must be a clang (any target).
CC_AARCH64     ?= clang
AARCH64_SYSINC  = /usr/aarch64-linux-gnu/include
check-aarch64:
	@if [ ! -d $(AARCH64_SYSINC) ]; then \
	  echo "installing: libc6-dev-arm64-cross"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q libc6-dev-arm64-cross; \
	fi
	@command -v $(CC_AARCH64) >/dev/null || { echo "error: $(CC_AARCH64) is not on PATH (the Swift toolchain's clang is in its usr/bin)"; exit 1; }
	@for f in Sources/CMicroKernels/*.c; do \
	  echo "$(CC_AARCH64) --target=aarch64-linux-gnu $$f"; \
	  $(CC_AARCH64) --target=aarch64-linux-gnu -isystem $(AARCH64_SYSINC) -I Sources/CMicroKernels/include \
	    -O2 -Wall -Werror -c -o /dev/null $$f || exit 1; \
	done
	@echo "aarch64: Sources/CMicroKernels compiles"

# Regenerate the committed NumPy fixtures of the DSP operators (Tests/ConvAlgebraTests/Fixtures/dsp/).
# The script makes its own virtual environment .venv-fixtures/ with numpy; `make test` never needs Python.
# Regenerate the committed test fixtures from independent references, each script in a venv it creates.
# `make test` only reads the committed files and needs no Python.
fixtures:
	python3 scripts/make_fixtures.py
	python3 scripts/make_analysis_fixtures.py

# The PyTorch fixtures (conv family, pooling family, interpolation to a size): the CPU wheel pulls ~3 GB.
fixtures-torch:
	python3 scripts/make_torch_fixtures_conv.py
	python3 scripts/make_torch_fixtures_pool.py
	python3 scripts/make_torch_fixtures_resize.py

clean:
	rm -rf .build

# ---- Benchmarks (issue 5). The peers (PyTorch, ONNX Runtime, JAX, NumPy/SciPy) and matplotlib live in
# their own venv, created here; nothing in `make test` needs Python. Results land in Benchmarks/results/.
PEERS_DIR  = Benchmarks/peers
PEERS_VENV = $(PEERS_DIR)/.venv
RESULTS    = Benchmarks/results
PYTHON    ?= python3
# Optional: CASES=c2d-r1,mx-1d (ids or suite letters) to run part of the suite; REPEATS=R.
REPEATS   ?= 10

.PHONY: peers-venv bench bench-compare plot bench-package calibrate

$(PEERS_VENV)/.installed: $(PEERS_DIR)/requirements.txt
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install -q --upgrade pip
	$(PEERS_VENV)/bin/pip install -q -r $(PEERS_DIR)/requirements.txt
	touch $@

peers-venv: $(PEERS_VENV)/.installed

# The planner's wisdom for this machine (rates, and the fastest form and kernel of each case; default suite C),
# in $CONVALGEBRA_WISDOM or ~/.cache/convalgebra/wisdom.json, which bench and bench-compare then use.
calibrate: deps
	$(SWIFT) build -c release --product convalgebra
	./.build/release/convalgebra calibrate $(if $(CASES),--cases $(CASES))

# Ours alone: the whole suite v1 in every form, table on stdout and JSON.
bench: deps
	$(SWIFT) build -c release --product convalgebra
	mkdir -p $(RESULTS)
	./.build/release/convalgebra bench --suite v1 --repeats $(REPEATS) --json $(RESULTS)/ours.json $(if $(CASES),--cases $(CASES))

# Ours and the peers in one go, case by case side by side, then the ratio table (Markdown + JSON).
bench-compare: deps peers-venv
	$(SWIFT) build -c release --product convalgebra
	mkdir -p $(RESULTS)
	$(PEERS_VENV)/bin/python $(PEERS_DIR)/peers.py --ours ./.build/release/convalgebra --repeats $(REPEATS) \
	  --json $(RESULTS)/side-by-side.json $(if $(CASES),--cases $(CASES))
	$(PEERS_VENV)/bin/python $(PEERS_DIR)/compare.py $(RESULTS)/side-by-side.json \
	  --markdown $(RESULTS)/compare.md --json $(RESULTS)/compare.json

# PNG plots from the comparison: forms against batch, the crossover map, ratios against the best peer.
plot: peers-venv
	$(PEERS_VENV)/bin/python $(PEERS_DIR)/plot.py $(RESULTS)/compare.json --out $(RESULTS)

# The package-benchmark suites (DLLayers, DSP1D, Forms), with allocation counts.
bench-package: deps
	$(SWIFT) package --package-path Benchmarks benchmark

# ---------------------------------------------------------------------------------------------------------
# Reliability (issue 13): libFuzzer targets and the test suite under the sanitizers.

FUZZ_SECONDS ?= 300
FUZZ_RUNS    ?= 1000000
FUZZ_BIN      = Fuzz/.build/release

.PHONY: fuzz fuzz-build sanitize sanitize-ci sanitize-address sanitize-thread sanitize-undefined

# The fuzz targets (Fuzz/, a sub-package) under -sanitize=fuzzer,address. Each run first replays its committed
# corpus and the crash regressions (Fuzz/Regressions: copy a crash-… file there and it is replayed forever),
# then fuzzes for FUZZ_RUNS executions or FUZZ_SECONDS, whichever comes first; a crash stops make with the
# input saved under Fuzz/Crashes/. The Swift objects' coverage is asked for explicitly: swiftc given
# `-sanitize=fuzzer -sanitize=address` in that order (SwiftPM's) emits no coverage counters at all, and libFuzzer
# then fuzzes blind on the C target's 231 counters ("Loaded 1 modules (231 inline 8-bit counters)");
# `--no-gc-sections` keeps the linker from dropping the counters.
FUZZ_COVERAGE = -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
fuzz-build:
	$(SWIFT) build --package-path Fuzz -c release --sanitize fuzzer --sanitize address $(FUZZ_COVERAGE) -Xlinker --no-gc-sections

fuzz: fuzz-build
	mkdir -p Fuzz/Crashes Fuzz/.work/npy Fuzz/.work/operators
	$(FUZZ_BIN)/FuzzNPY Fuzz/.work/npy Fuzz/Corpus/npy Fuzz/Regressions/npy -dict=Fuzz/npy.dict \
	  -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -artifact_prefix=Fuzz/Crashes/npy- -print_final_stats=1
	$(FUZZ_BIN)/FuzzOperators Fuzz/.work/operators Fuzz/Corpus/operators Fuzz/Regressions/operators \
	  -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -artifact_prefix=Fuzz/Crashes/operators- -print_final_stats=1

# The whole test suite under the sanitizers, each in its own build directory so the normal build is untouched
# (SANITIZE_FILTER=Suite limits the run to a subset). `make sanitize` is two builds and two runs:
#  - sanitize-address: AddressSanitizer (and LeakSanitizer) on Swift and C, with UBSan on the C kernels
#    (Sources/CMicroKernels; swiftc has no -sanitize=undefined on Linux, and Swift traps on its own undefined
#    behaviour anyway): clang's ASan runtime carries UBSan's handlers, so the two share one build, and the first
#    UBSan finding stops the run (-fno-sanitize-recover), as in CI's sanitize-ci;
#  - sanitize-thread: ThreadSanitizer.
# The CLI tests (hundreds of command lines, each a process of its own) run a CLI built once per sanitizer in
# release mode under the same sanitizer (SANITIZE_CLI): the sanitized debug CLI made them most of a whole-suite
# run (they were stopped after 30-37 min). The test executable and the library it links stay debug.
# `swift test` builds only what the tests need; a plain `swift build` would also build the package plugins'
# tools (swift-protobuf's protoc, ~650 C++ files, see test-portable) under the sanitizer, which no test runs.
# sanitize-undefined is UBSan alone (no ASan), for a run that must not add ASan's shadow memory.
SANITIZE_FILTER ?=
SANITIZE_TEST    = $(if $(SANITIZE_FILTER),--filter '$(SANITIZE_FILTER)')
UBSAN_C_FLAGS    = -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
UBSAN_FLAGS      = $(UBSAN_C_FLAGS) -Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined
ASAN_FLAGS       = --scratch-path .build/asan --sanitize address $(UBSAN_C_FLAGS)
TSAN_FLAGS       = --scratch-path .build/tsan --sanitize thread
SANITIZE_CLI     = $(SWIFT) build -c release --product convalgebra
SANITIZE_ENV     = LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp:print_suppressions=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
sanitize: sanitize-address sanitize-thread

# CI's short run (.ci/run), one build: the C and Swift kernels, the NPY reader, and the property and non-finite tests
# (every operator family in every form) under ASan, with the C kernels also under UBSan. Its own build directory,
# so `make sanitize`'s are untouched.
SANITIZE_CI_FILTER = MicroGEMMTests|ConvTileKernelTests|RowStencilKernelsTests|ConvolutionKernelsTests|Im2colGEMMKernelsTests|CircularPaddingKernelsTests|SparseKernelsTests|PoolingKernelsTests|PoolingRowKernelsTests|NPYTests|NPYHeaderTests|NonFiniteFormsTests|OperatorPropertyTests
SANITIZE_CI_FLAGS  = --scratch-path .build/sanitize-ci --sanitize address $(UBSAN_C_FLAGS)
sanitize-ci: deps
	$(SWIFT) build $(SANITIZE_CI_FLAGS) --build-tests
	CONVALGEBRA_SANITIZED=1 CONVALGEBRA_BIN=$(CURDIR)/.build/sanitize-ci/debug/convalgebra $(SANITIZE_ENV) $(SWIFT) test $(SANITIZE_CI_FLAGS) --skip-build --filter '$(SANITIZE_CI_FILTER)'

sanitize-address: deps
	$(SANITIZE_CLI) $(ASAN_FLAGS)
	CONVALGEBRA_SANITIZED=1 CONVALGEBRA_BIN=$(CURDIR)/.build/asan/release/convalgebra $(SANITIZE_ENV) $(SWIFT) test $(ASAN_FLAGS) $(SANITIZE_TEST)

sanitize-thread: deps
	$(SANITIZE_CLI) $(TSAN_FLAGS)
	CONVALGEBRA_SANITIZED=1 CONVALGEBRA_BIN=$(CURDIR)/.build/tsan/release/convalgebra $(SWIFT) test $(TSAN_FLAGS) $(SANITIZE_TEST)

sanitize-undefined: deps
	CONVALGEBRA_BIN=$(CURDIR)/.build/ubsan/debug/convalgebra UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(SWIFT) test --scratch-path .build/ubsan $(UBSAN_FLAGS) $(SANITIZE_TEST)

# Issue 13's hostile command lines with every numeric option swept over 0, −1, 2³¹, 2⁶², 2⁶³ − 1, 2⁶³, nan, ±inf,
# empty, words, fractions (scripts/hostile-variants.sh): each under `ulimit -v 4194304` and `timeout 60` with the
# release CLI must succeed cleanly or print one `error:` line, exit non-zero and leave no file; ~1,250 command lines,
# results in /tmp/hostile-variants (about 10 minutes on an idle 2-core machine).
.PHONY: hostile
hostile: deps
	$(SWIFT) build -c release --product convalgebra
	scripts/hostile-variants.sh .build/release/convalgebra

# ---- Differential fuzzing (issue 13): `convalgebra apply` against PyTorch (layers) and NumPy (1-D DSP) on
# DIFFFUZZ_COUNT random configurations of every op, form, dtype and direction, in a venv of its own (numpy,
# scipy, torch CPU-only). A disagreement prints a reproducer and fails the target; its files are kept under
# difffuzz-failures/.
DIFFFUZZ_VENV  = scripts/.venv-difffuzz
DIFFFUZZ_COUNT ?= 3000
DIFFFUZZ_SEED  ?= 1

.PHONY: difffuzz

$(DIFFFUZZ_VENV)/.installed: scripts/requirements-difffuzz.txt
	python3 -m venv $(DIFFFUZZ_VENV)
	$(DIFFFUZZ_VENV)/bin/pip install -q --upgrade pip
	$(DIFFFUZZ_VENV)/bin/pip install -q -r scripts/requirements-difffuzz.txt
	touch $@

difffuzz: deps $(DIFFFUZZ_VENV)/.installed
	$(SWIFT) build -c release --product convalgebra
	$(DIFFFUZZ_VENV)/bin/python scripts/difffuzz.py --bin .build/release/convalgebra \
	  --count $(DIFFFUZZ_COUNT) --seed $(DIFFFUZZ_SEED)

# ---- convalgebra-mpi (issue 16, docs/Past-one-machine.md): operators on PETSc/SLEPc under Open MPI, optional.
# The product exists only when CONVALGEBRA_MPI is set (Package.swift), so `make build` / `make test` need none of
# it. `make mpi` installs PETSc/SLEPc (real, 32-bit indices) with apt when missing and builds
# .build/release/convalgebra-mpi; `make test-mpi` runs ConvAlgebraMPITests, which drive it under
# `mpirun -np 1` and `-np 2` on loopback against `convalgebra` on the same operators.
MPI_APT_PACKAGES = libpetsc-real-dev libslepc-real-dev
MPIRUN_FLAGS ?= --mca btl self,vader --mca oob_tcp_if_include lo

.PHONY: mpi mpi-deps test-mpi bench-mpi

mpi-deps: deps
	@missing=""; for p in $(MPI_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

# The MPI configuration has its own build directory ($(MPI_SCRATCH), release), so switching to it never rebuilds
# the default one; .build/release/convalgebra-mpi is a link to its binary.
MPI_SCRATCH = .build/mpi
MPI_BUILD   = CONVALGEBRA_MPI=1 $(SWIFT) build -c release --scratch-path $(MPI_SCRATCH)

mpi: mpi-deps
	$(MPI_BUILD) --product convalgebra-mpi
	@mkdir -p .build/release && ln -sf $(CURDIR)/$(MPI_SCRATCH)/release/convalgebra-mpi .build/release/convalgebra-mpi
	@echo "built .build/release/convalgebra-mpi (run it as: mpirun -np 2 .build/release/convalgebra-mpi --help)"

test-mpi: mpi
	$(MPI_BUILD) --product convalgebra
	$(MPI_BUILD) --product ConvAlgebraPackageTests
	CONVALGEBRA_MPI=1 CONVALGEBRA_MPI_BIN=$(CURDIR)/.build/release/convalgebra-mpi \
	  CONVALGEBRA_BIN=$(CURDIR)/$(MPI_SCRATCH)/release/convalgebra MPIRUN_FLAGS="$(MPIRUN_FLAGS)" \
	  $(SWIFT) test -c release --scratch-path $(MPI_SCRATCH) --skip-build --filter ConvAlgebraMPITests

# The benchmark of docs/Past-one-machine.md (scripts/bench-mpi.sh): Benchmarks/results/mpi/report.md.
bench-mpi: mpi
	$(MPI_BUILD) --product convalgebra
	CA=$(MPI_SCRATCH)/release/convalgebra scripts/bench-mpi.sh
