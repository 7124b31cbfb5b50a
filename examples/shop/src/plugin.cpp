// The shop as a plugin: `weft run` dlopens libweft_shop_plugin.so and calls this.
#include "shop/shop.hpp"

WEFT_PLUGIN(registry) {
  shop::register_types(registry);
}
