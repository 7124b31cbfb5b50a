// The weft executable: registers the built-in example applications (the
// shop, so `weft demo` and examples/shop/shop.toml need no plugin), then
// hands off to weft::runner::cli_main (src/runner/cli.cpp).
#include "shop/shop.hpp"
#include "weft/es/application_registry.hpp"
#include "weft/runner/cli.hpp"

int main(int argc, char** argv) {
  shop::register_types(weft::es::application_registry::global());
  return weft::runner::cli_main(argc, argv);
}
