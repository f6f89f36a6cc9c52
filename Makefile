# The README's commands. CMake does the building; this file only names the
# jobs and installs what they need first.
#
#   make demo       build, then run the scripted demo
#   make test       build, then run every test (ctest), sanitizer builds included
#   make bench      run the benchmarks; writes bench/results.json
#   make install PREFIX=/some/dir
#   make soak       long reload soak (not part of make test)

BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test bench install soak clean

all: build

deps:
	@./.ci/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DHOTRELOAD_WERROR=ON -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./examples/demo/run-demo.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest --output-on-failure --timeout 300 -j $(JOBS)

bench: build
	@./bench/run.sh $(BUILD)

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

soak: build
	@./bench/soak.sh $(BUILD)

clean:
	rm -rf $(BUILD)
