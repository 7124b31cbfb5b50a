// The chaos bank as a plugin: `weft run` dlopens libweft_chaos_bank_plugin.so.
#include "bank.hpp"

WEFT_PLUGIN(registry) {
  bank::register_types(registry);
}
