// A plugin that needs a symbol nobody provides: RTLD_NOW makes dlopen fail.
#include "fake_registry.hpp"

extern "C" int weft_test_symbol_nobody_defines();

extern "C" void weft_plugin_register(fake_registry& registry) {
  if (weft_test_symbol_nobody_defines() != 0) registry.types.push_back("never");
}
