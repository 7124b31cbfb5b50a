#include "shop/shop.hpp"

#include "shop/applications.hpp"

namespace shop {

void register_types(weft::es::application_registry& registry) {
  registry.add<Orders>("shop.Orders");
  registry.add<Reservations>("shop.Reservations");
  registry.add<Payments>("shop.Payments");
}

weft::es::system_definition make_system() {
  weft::es::system_definition system{{"Orders", "Reservations", "Orders"},
                                     {"Orders", "Payments", "Orders"}};
  system.use_type("Orders", "shop.Orders")
      .use_type("Reservations", "shop.Reservations")
      .use_type("Payments", "shop.Payments")
      // Orders reads each order twice more (reserved, paid): keep recent ones.
      .configure("Orders", {{"cache", "10000"}});
  return system;
}

}  // namespace shop
