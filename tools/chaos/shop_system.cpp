// The shop under chaos: command i creates order "c<i>"; the audit checks that
// every order was reserved and paid exactly once and no command ran twice.
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <unordered_map>

#include "chaos_system.hpp"
#include "shop/domain.hpp"
#include "shop/shop.hpp"
#include "weft/es/codec.hpp"

namespace chaos {
namespace {

namespace fs = std::filesystem;

struct order_seen {
  std::int64_t index = -1;  // the command that made it ("c<index>")
  std::int64_t amount = 0;
  int created = 0, reserved = 0, paid = 0, reservations = 0, payments = 0;
  std::int64_t paid_amount = 0;
};

class shop_audit : public domain_audit {
 public:
  void visit(const std::string& app, const weft::es::notification& note) override {
    const auto& e = note.event;
    if (app == "Orders") {
      auto& order = orders_[e.originator_id];
      if (e.topic == "shop.OrderCreated") {
        const auto created = weft::es::decode<shop::OrderCreated>(e);
        ++order.created;
        order.amount = created.amount;
        order.index = index_of(created.customer);
      } else if (e.topic == "shop.OrderReserved") {
        ++order.reserved;
      } else if (e.topic == "shop.OrderPaid") {
        ++order.paid;
      }
    } else if (app == "Reservations" && e.topic == "shop.ReservationMade") {
      ++orders_[weft::es::decode<shop::ReservationMade>(e).order_id].reservations;
    } else if (app == "Payments" && e.topic == "shop.PaymentMade") {
      const auto made = weft::es::decode<shop::PaymentMade>(e);
      auto& order = orders_[made.order_id];
      ++order.payments;
      order.paid_amount = made.amount;
    }
  }

  void finish(const std::vector<fate>& fates, findings& violations,
              std::map<std::string, std::uint64_t>& facts) override {
    std::vector<std::uint8_t> made(fates.size(), 0);
    std::uint64_t orders = 0;
    for (const auto& [id, o] : orders_) {
      const auto name = id.str();
      if (o.created != 1) {
        violations.add(fmt::format(
            "order {}: created {} times (events for an order never created?)", name, o.created));
        continue;
      }
      ++orders;
      if (o.reserved != 1)
        violations.add(fmt::format("order {}: reserved {} times", name, o.reserved));
      if (o.paid != 1) violations.add(fmt::format("order {}: paid {} times", name, o.paid));
      if (o.reservations != 1)
        violations.add(fmt::format("order {}: {} reservations", name, o.reservations));
      if (o.payments != 1) violations.add(fmt::format("order {}: {} payments", name, o.payments));
      if (o.payments == 1 && o.paid_amount != o.amount)
        violations.add(
            fmt::format("order {}: paid {} for an amount of {}", name, o.paid_amount, o.amount));
      if (o.index < 0 || static_cast<std::uint64_t>(o.index) >= fates.size()) {
        violations.add(fmt::format("order {}: made by no command of this run", name));
      } else if (++made[o.index] > 1) {
        violations.add(
            fmt::format("command {} made {} orders (ran twice)", o.index, +made[o.index]));
      }
    }
    std::uint64_t lost_but_made = 0;
    for (std::size_t i = 0; i < fates.size(); ++i) {
      if (fates[i] == fate::acknowledged && made[i] == 0)
        violations.add(fmt::format("command {} was acknowledged but made no order", i));
      if (fates[i] == fate::unsent && made[i] != 0)
        violations.add(fmt::format("command {} was never sent but made an order", i));
      if (fates[i] == fate::lost && made[i] != 0) ++lost_but_made;
    }
    facts["orders"] = orders;
    facts["lost_commands_that_made_an_order"] = lost_but_made;
  }

 private:
  static std::int64_t index_of(const std::string& customer) {
    std::int64_t i = -1;
    if (customer.size() < 2 || customer[0] != 'c') return -1;
    auto [end, ec] = std::from_chars(customer.data() + 1, customer.data() + customer.size(), i);
    return ec == std::errc{} && end == customer.data() + customer.size() ? i : -1;
  }

  std::unordered_map<weft::uuid, order_seen> orders_;
};

}  // namespace

chaos_system shop_system(const fs::path& plugin, const std::string& name) {
  chaos_system s;
  s.name = name;
  s.write_system_file = [plugin, name](const fs::path& dir) {
    const fs::path file = dir / "shop.toml";
    std::ofstream(file) << fmt::format(
        R"(# Written by weft-chaos: examples/shop with a large restart budget.
name = "{}"
data_dir = "data"
plugins = ["{}"]
pipes = ["Orders | Reservations | Orders", "Orders | Payments | Orders"]
{}
[[applications]]
name = "Orders"
type = "shop.Orders"
[applications.options]
cache = "10000"

[[applications]]
name = "Reservations"
type = "shop.Reservations"

[[applications]]
name = "Payments"
type = "shop.Payments"
)",
        name, plugin.string(), chaos_tables());
    return file;
  };
  s.register_types = [](weft::es::application_registry& r) { shop::register_types(r); };
  s.command_of = [](std::uint64_t index, std::uint64_t) {
    return command{"Orders", "create_order",
                   fmt::format(R"({{"customer":"c{}","amount":{}}})", index, 1 + index % 100)};
  };
  s.idempotent = false;
  s.make_audit = [] { return std::make_unique<shop_audit>(); };
  return s;
}

}  // namespace chaos
