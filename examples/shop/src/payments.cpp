#include "shop/applications.hpp"

namespace shop {

Payments::Payments(weft::es::app_context context) : process_application(std::move(context)) {
  on<&Payments::order_reserved>();
  set_follow_topics({std::string(weft::es::topic_of<OrderReserved>)});
}

void Payments::order_reserved(const OrderReserved& event, weft::es::processing& processing) {
  // The order reserved is the notification's originator.
  const auto& order_id = processing.source().event.originator_id;
  const auto id = payment_id_of(order_id);
  auto made = Payment::create(id, PaymentMade{id, order_id, event.amount});
  processing.save(made);
}

}  // namespace shop
