# hookline: `make run` and `make test` are all a fresh Debian 12 machine needs.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps test-deps build build-asan run test test-unit test-integration test-browser clean format

all: build

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD_DIR)/build.ninja
	@cmake --build $(BUILD_DIR) -j$(JOBS)

$(ASAN_DIR)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHOOKLINE_SANITIZE=ON >/dev/null

# Unit and store contract tests under AddressSanitizer + UndefinedBehaviorSanitizer.
build-asan: deps $(ASAN_DIR)/build.ninja
	@cmake --build $(ASAN_DIR) -j$(JOBS) --target unit_tests store_tests

run: build
	./$(BUILD_DIR)/hookline serve

test: test-deps build build-asan
	@cd $(ASAN_DIR) && ctest --output-on-failure -L "unit|store"
	@cd $(BUILD_DIR) && ctest --output-on-failure

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -L unit

test-integration: test-deps build
	@cd $(BUILD_DIR) && ctest --output-on-failure -L integration

test-browser: test-deps build
	@cd $(BUILD_DIR) && ctest --output-on-failure -L browser

format:
	@clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
