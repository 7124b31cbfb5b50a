// A plugin without weft_plugin_register (declared without extern "C", say).
#include "fake_registry.hpp"

void weft_plugin_register(fake_registry& registry) {
  registry.types.push_back("mangled");
}
