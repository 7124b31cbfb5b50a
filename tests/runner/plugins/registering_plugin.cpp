// A plugin that registers one application type.
#include "fake_registry.hpp"

extern "C" void weft_plugin_register(fake_registry& registry) {
  registry.types.push_back("test.Counter");
}
