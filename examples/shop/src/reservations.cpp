#include "shop/applications.hpp"

namespace shop {

Reservations::Reservations(weft::es::app_context context)
    : process_application(std::move(context)) {
  on<&Reservations::order_created>();
  set_follow_topics({std::string(weft::es::topic_of<OrderCreated>)});
}

void Reservations::order_created(const OrderCreated& event, weft::es::processing& processing) {
  const auto id = reservation_id_of(event.order_id);
  auto made = Reservation::create(id, ReservationMade{id, event.order_id});
  processing.save(made);
}

}  // namespace shop
