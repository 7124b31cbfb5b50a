#include "shop/domain.hpp"

namespace shop {

weft::uuid reservation_id_of(const weft::uuid& order_id) {
  return weft::uuid::derived(order_id, "reservation");
}

weft::uuid payment_id_of(const weft::uuid& order_id) {
  return weft::uuid::derived(order_id, "payment");
}

}  // namespace shop
