// A downstream program built against the installed weft: the README's first
// process application, run on the deterministic single-threaded runner.
#include <iostream>

#include <weft/weft.hpp>

struct OrderCreated {
  weft::uuid order_id;
  std::int64_t amount = 0;
};
WEFT_EVENT(OrderCreated, "shop.OrderCreated", order_id, amount);

struct ReservationMade {
  weft::uuid reservation_id;
  weft::uuid order_id;
};
WEFT_EVENT(ReservationMade, "shop.ReservationMade", reservation_id, order_id);

class Order : public weft::es::aggregate<Order, OrderCreated> {
 public:
  void apply(const OrderCreated& e) { amount = e.amount; }
  std::int64_t amount = 0;
};

class Reservation : public weft::es::aggregate<Reservation, ReservationMade> {
 public:
  void apply(const ReservationMade& e) { order_id = e.order_id; }
  weft::uuid order_id;
};

class Orders : public weft::es::application {
 public:
  using application::application;
};

class Reservations : public weft::es::process_application {
 public:
  explicit Reservations(weft::es::app_context context) : process_application(std::move(context)) {
    on<&Reservations::order_created>();
  }

 private:
  void order_created(const OrderCreated& e, weft::es::processing& processing) {
    const auto id = weft::uuid::derived(e.order_id, "reservation");
    auto reservation = Reservation::create(id, ReservationMade{id, e.order_id});
    processing.save(reservation);
  }
};

int main() {
  weft::es::system_definition system{{"Orders", "Reservations"}};
  system.bind<Orders>("Orders").bind<Reservations>("Reservations");
  weft::es::single_threaded_runner runner(system, [](const std::string&) {
    return std::shared_ptr(weft::store::make_memory_recorder());
  });
  runner.start();
  const auto id = weft::uuid::random();
  auto order = Order::create(id, OrderCreated{id, 12});
  runner.get<Orders>("Orders").save(order);
  if (runner.get<Reservations>("Reservations").events().max_notification_id() != 1) return 1;
  std::cout << "downstream ok\n";
  return 0;
}
