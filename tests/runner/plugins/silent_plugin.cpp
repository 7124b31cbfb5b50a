// A plugin whose entry point registers nothing: a user error worth naming.
#include "fake_registry.hpp"

extern "C" void weft_plugin_register(fake_registry& /*registry*/) {}
