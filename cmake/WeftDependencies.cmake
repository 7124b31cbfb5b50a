# Third-party packages, all from Debian 12 (installed by .ci/install-deps).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # SHA-1 for name-based uuids
find_package(PkgConfig REQUIRED)
pkg_check_modules(xxhash REQUIRED IMPORTED_TARGET libxxhash)  # XXH3 for derived uuids
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(msgpack REQUIRED)  # target msgpackc-cxx
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(PostgreSQL)
if(WEFT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(WEFT_BUILD_TOOLS)
  find_package(benchmark)
  find_library(WEFT_CAF_CORE caf_core)  # benchmark peer; Debian ships no CMake config
endif()
