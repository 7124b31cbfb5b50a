#include "shop/applications.hpp"

namespace shop {

Orders::Orders(weft::es::app_context context) : process_application(std::move(context)) {
  on<&Orders::reservation_made>();
  on<&Orders::payment_made>();
  set_follow_topics({std::string(weft::es::topic_of<ReservationMade>),
                     std::string(weft::es::topic_of<PaymentMade>)});
  commands().add("create_order", [this](const weft::es::command_args& args) {
    const auto amount = args.get<std::int64_t>("amount");
    if (amount <= 0) args.fail("amount", "must be positive");
    return create_order(args.get<std::string>("customer", "anonymous"), amount).str();
  });
  commands().add("get_order", [this](const weft::es::command_args& args) {
    const auto found = order(args.get<weft::uuid>("id"));
    return nlohmann::json{{"customer", found.customer},
                          {"amount", found.amount},
                          {"reserved", found.reserved()},
                          {"paid", found.paid()}};
  });
}

weft::uuid Orders::create_order(std::string customer, std::int64_t amount) {
  const auto id = weft::uuid::time_ordered();
  auto created = Order::create(id, OrderCreated{id, std::move(customer), amount});
  save(created);
  return id;
}

void Orders::reservation_made(const ReservationMade& event, weft::es::processing& processing) {
  auto reserved = get<Order>(event.order_id);
  if (reserved.reserved()) return;
  reserved.trigger(OrderReserved{event.reservation_id, reserved.amount});
  processing.save(reserved);
}

void Orders::payment_made(const PaymentMade& event, weft::es::processing& processing) {
  auto paid = get<Order>(event.order_id);
  if (paid.paid()) return;
  paid.trigger(OrderPaid{event.payment_id});
  processing.save(paid);
}

}  // namespace shop
