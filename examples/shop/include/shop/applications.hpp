#pragma once
// The shop's applications: Orders | Reservations | Orders, Orders | Payments | Orders.
#include <cstdint>
#include <string>

#include "shop/domain.hpp"
#include "weft/es/process_application.hpp"

namespace shop {

/// Takes orders (command create_order) and marks them reserved and paid.
class Orders : public weft::es::process_application {
 public:
  explicit Orders(weft::es::app_context context);

  weft::uuid create_order(std::string customer, std::int64_t amount);
  [[nodiscard]] Order order(const weft::uuid& id) { return get<Order>(id); }

 private:
  void reservation_made(const ReservationMade& event, weft::es::processing& processing);
  void payment_made(const PaymentMade& event, weft::es::processing& processing);
};

/// Makes a reservation for every order created.
class Reservations : public weft::es::process_application {
 public:
  explicit Reservations(weft::es::app_context context);

 private:
  void order_created(const OrderCreated& event, weft::es::processing& processing);
};

/// Takes a payment for every order reserved.
class Payments : public weft::es::process_application {
 public:
  explicit Payments(weft::es::app_context context);

 private:
  void order_reserved(const OrderReserved& event, weft::es::processing& processing);
};

}  // namespace shop
