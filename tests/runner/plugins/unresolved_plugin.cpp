// A plugin that needs a symbol nobody provides: RTLD_NOW makes dlopen fail.
#include "weft/es/application_registry.hpp"

extern "C" int weft_test_symbol_nobody_defines();

WEFT_PLUGIN(/*registry*/) {
  weft_test_symbol_nobody_defines();
}
