#pragma once
// How a runner finds the shop: its application types (registered by name, or
// by the plugin entry point of libweft_shop_plugin.so) and its system.
#include "weft/es/application_registry.hpp"
#include "weft/es/system_definition.hpp"

namespace shop {

/// Registers shop.Orders, shop.Reservations and shop.Payments. Call it once
/// per registry (twice is a weft::error: the names are taken).
void register_types(weft::es::application_registry& registry);

/// Orders | Reservations | Orders and Orders | Payments | Orders, with the
/// applications named Orders, Reservations and Payments using the registered types.
weft::es::system_definition make_system();

}  // namespace shop
