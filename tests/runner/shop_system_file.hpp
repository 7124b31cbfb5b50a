#pragma once
// Test support: the shop as a system file for `weft run` (SQLite `normal`,
// quick restarts), its types loaded from the shop example's plugin.
#include <filesystem>
#include <fstream>
#include <string>

namespace weft::runner::testing {

inline void write_shop_system(const std::filesystem::path& file, const std::string& name) {
  std::ofstream(file) << "name = \"" << name << R"("
data_dir = "data"
plugins = [")" WEFT_SHOP_PLUGIN R"("]
pipes = ["Orders | Reservations | Orders", "Orders | Payments | Orders"]

[persistence]
kind = "sqlite"
durability = "normal"

[supervision]
max_restarts = 10
backoff_initial_ms = 50

[[applications]]
name = "Orders"
type = "shop.Orders"

[[applications]]
name = "Reservations"
type = "shop.Reservations"

[[applications]]
name = "Payments"
type = "shop.Payments"
)";
}

}  // namespace weft::runner::testing
