// Fuzzes reading a system file: the input is the file's text. Parsing,
// validation, the type check against a registry, the follow graph and the
// es system definition (with every application's options) must accept it or
// throw a weft::error (naming the file, for the file's own checks): never
// crash, read out of bounds or throw anything else.
#include <cstdint>
#include <optional>
#include <string_view>

#include "weft/runner/registry.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/runner/system_graph.hpp"
#include "weft/runner/type_check.hpp"

namespace {

// Types "fuzz.*" are registered; "fuzz.P*" are process applications.
const weft::runner::type_catalog catalog{
    [](std::string_view type) { return type.starts_with("fuzz."); },
    [](std::string_view type) { return type.starts_with("fuzz.P"); },
    [] {
      return std::vector<std::string>{"fuzz.App", "fuzz.Process"};
    }};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<weft::runner::system_spec> spec;
  try {
    spec = weft::runner::parse_system_file(text, "/fuzz/system.toml");
    weft::runner::validate_types(*spec, catalog);
  } catch (const weft::error& e) {
    if (std::string_view(e.what()).find("system.toml") == std::string_view::npos)
      __builtin_trap();  // every error names the file
    return 0;
  }
  const auto graph = weft::runner::graph_of(*spec);
  for (const auto& e : graph.edges)
    if (spec->find(e.leader) == nullptr || spec->find(e.follower) == nullptr) __builtin_trap();
  try {
    (void)weft::runner::to_definition(*spec);
  } catch (const weft::error&) {
  }
  return 0;
}
