#pragma once
// The shop's events and aggregates: an order is created, a reservation is
// made for it, the order is marked reserved, a payment is made, the order is
// marked paid.
#include <cstdint>
#include <string>

#include "weft/es/aggregate.hpp"
#include "weft/es/codec.hpp"

namespace shop {

struct OrderCreated {
  weft::uuid order_id;
  std::string customer;
  std::int64_t amount = 0;
};
WEFT_EVENT(OrderCreated, "shop.OrderCreated", order_id, customer, amount);

struct OrderReserved {
  weft::uuid reservation_id;
  std::int64_t amount = 0;
};
WEFT_EVENT(OrderReserved, "shop.OrderReserved", reservation_id, amount);

struct OrderPaid {
  weft::uuid payment_id;
};
WEFT_EVENT(OrderPaid, "shop.OrderPaid", payment_id);

struct ReservationMade {
  weft::uuid reservation_id;
  weft::uuid order_id;
};
WEFT_EVENT(ReservationMade, "shop.ReservationMade", reservation_id, order_id);

struct PaymentMade {
  weft::uuid payment_id;
  weft::uuid order_id;
  std::int64_t amount = 0;
};
WEFT_EVENT(PaymentMade, "shop.PaymentMade", payment_id, order_id, amount);

class Order : public weft::es::aggregate<Order, OrderCreated, OrderReserved, OrderPaid> {
 public:
  void apply(const OrderCreated& e) {
    customer = e.customer;
    amount = e.amount;
  }
  void apply(const OrderReserved& e) { reservation_id = e.reservation_id; }
  void apply(const OrderPaid& e) { payment_id = e.payment_id; }

  [[nodiscard]] bool reserved() const noexcept { return !reservation_id.is_nil(); }
  [[nodiscard]] bool paid() const noexcept { return !payment_id.is_nil(); }

  std::string customer;
  std::int64_t amount = 0;
  weft::uuid reservation_id;
  weft::uuid payment_id;
  WEFT_AGGREGATE_STATE(customer, amount, reservation_id, payment_id)
};

class Reservation : public weft::es::aggregate<Reservation, ReservationMade> {
 public:
  void apply(const ReservationMade& e) { order_id = e.order_id; }
  weft::uuid order_id;
};

class Payment : public weft::es::aggregate<Payment, PaymentMade> {
 public:
  void apply(const PaymentMade& e) {
    order_id = e.order_id;
    amount = e.amount;
  }
  weft::uuid order_id;
  std::int64_t amount = 0;
};

/// Ids derived from an order's id, so a replayed policy derives the same ids
/// (and a duplicate would be refused by the recorder).
weft::uuid reservation_id_of(const weft::uuid& order_id);
weft::uuid payment_id_of(const weft::uuid& order_id);

}  // namespace shop
