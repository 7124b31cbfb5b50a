// A plugin without weft_plugin_register: declared without extern "C", so its
// name is mangled and dlsym cannot find it.
#include "weft/es/application_registry.hpp"

void weft_plugin_register(weft::es::application_registry& /*registry*/) {}
