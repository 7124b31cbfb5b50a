#include "weft/node/client.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <utility>

#include "arrived_replies.hpp"
#include "reply_ledger.hpp"
#include "weft/core/clock.hpp"
#include "weft/core/error.hpp"
#include "weft/core/same_bytes.hpp"
#include "weft/es/command_payload.hpp"
#include "weft/es/commands.hpp"
#include "weft/node/inbound.hpp"
#include "weft/shm/doorbell.hpp"
#include "weft/shm/ingress.hpp"
#include "weft/shm/protocol.hpp"

namespace weft::node {
namespace {

using namespace std::chrono_literals;

std::int64_t deadline_after(std::chrono::milliseconds timeout) {
  return clock::mono_nanos() + std::chrono::nanoseconds(timeout).count();
}

// What a command gets that `app` took and never answered: its process died.
std::string lost_reply_of(const std::string& app) {
  es::command_reply lost;
  lost.error = "'" + app +
               "' was restarted after it took this command and before it answered: the command "
               "may or may not have been applied";
  return lost.to_json_text();
}

}  // namespace

struct client::lane {
  lane(std::string name, shm::ingress_client claimed)
      : app(std::move(name)),
        ingress(std::move(claimed)),
        ledger(ingress.issued_before()),
        lost_reply(lost_reply_of(app)) {}

  std::string app;
  shm::ingress_client ingress;
  reply_ledger ledger;     // this lane's correlation ids and which have replies
  std::string lost_reply;  // the error text of a command lost in a restart
  // Replies read and not taken yet, in arrival order: one lane's replies
  // come in the order of its commands, so a waiter's is usually the first.
  arrived_replies arrived;

  // Reads up to `limit` reply records and hands `on_run(ids, ok, payload,
  // lost)` each run of this client's ids they answer; ids a previous owner
  // of the lane issued are skipped. Then, once the ring was read empty, each
  // command up to `lost_through` that got no reply is handed as lost: an
  // incarnation of the application took it and died. `lost_through` is
  // loaded first, so whatever the dead one answered has been read by then.
  template <class OnRun>
  void drain(std::size_t limit, OnRun&& on_run) {
    const std::uint64_t lost_through = ingress.lost_through();
    ingress.replies().drain(
        [&](const shm::record_view& record) {
          shm::protocol::reply_view view;
          // A record that is no valid reply answers nothing we can name.
          if (!shm::protocol::read_reply(record, view)) return;
          const auto ids = ledger.own(view.correlation_id, view.count);
          if (ids.from > ids.to) return;
          ledger.answered(ids);
          on_run(ids, view.status == shm::protocol::reply_status::ok,
                 std::string_view(reinterpret_cast<const char*>(view.payload.data()),
                                  view.payload.size()),
                 false);
        },
        limit);
    if (ledger.owes_up_to(lost_through) && !ingress.replies().has_data())
      ledger.settle(lost_through, [&](std::uint64_t id) {
        on_run(reply_ledger::id_span{id, id}, false, lost_reply, true);
      });
  }

  // Moves every reply waiting in the ring into `arrived`.
  void collect() {
    drain(1024, [&](reply_ledger::id_span ids, bool ok, std::string_view payload, bool lost) {
      arrived.add(ids.from, ids.to - ids.from + 1, ok, payload, lost);
    });
  }

  // Waits for a reply, or until `deadline`; false on timeout.
  bool await_reply(std::int64_t deadline) {
    const auto left =
        std::chrono::nanoseconds(std::max<std::int64_t>(0, deadline - clock::mono_nanos()));
    return shm::wait(
        ingress.bell(), [&] { return ingress.replies().has_data(); },
        shm::wait_policy{20us, std::min<std::chrono::nanoseconds>(left, 100ms)});
  }
};

client client::attach(std::string_view system) {
  std::string running;
  for (const auto& found : shm::list_systems()) {
    if (!found.creator_alive || !found.problem.empty()) continue;
    if (found.system_name == system) return client(shm::segment::attach(found.segment_name));
    running += (running.empty() ? "" : ", ") + found.system_name;
  }
  throw invalid_input("no running system named '" + std::string(system) +
                      "' (running: " + (running.empty() ? "none" : running) + ")");
}

client::client(shm::segment segment)
    : segment_(std::make_unique<shm::segment>(std::move(segment))) {}
client::client(client&&) noexcept = default;
client::~client() = default;

shm::segment& client::segment() noexcept {
  return *segment_;
}

client::lane& client::lane_of(std::string_view app) {
  if (last_lane_ != nullptr && same_text(last_lane_->app, app)) return *last_lane_;
  if (auto found = lanes_.find(app); found != lanes_.end())
    return *(last_lane_ = found->second.get());
  const auto index = segment_->find_process(app);
  if (!index) {
    std::string known;
    for (std::uint32_t p = 0; p < segment_->process_count(); ++p)
      known += (p ? ", " : "") + std::string(shm::name_of(segment_->process(p)));
    const auto& header = segment_->header();  // shared memory: bound every read
    throw invalid_input(
        "system '" +
        std::string(header.system_name, ::strnlen(header.system_name, shm::name_capacity)) +
        "' has no application named '" + std::string(app) + "' (it has: " + known + ")");
  }
  auto made =
      std::make_unique<lane>(std::string(app), shm::ingress_client::claim(*segment_, *index));
  last_lane_ = made.get();
  lanes_.emplace(std::string(app), std::move(made));
  return *last_lane_;
}

std::uint64_t client::submit(std::string_view app, std::string_view name,
                             std::string_view args_json, std::chrono::milliseconds timeout) {
  auto& target = lane_of(app);
  const std::uint64_t id = target.ingress.issue_correlation_id();
  target.ledger.issued(id);
  const std::size_t size = command_payload_size(name, args_json);
  std::int64_t deadline = 0;  // read the clock only when the lane is full
  for (;;) {
    auto& requests = target.ingress.requests();
    const auto claimed = shm::protocol::claim_command(requests, id, size);
    if (claimed) {
      // Encoded in the ring: no buffer between the caller's text and the record.
      encode_command_payload(name, args_json, claimed.payload);
      requests.commit();
      return id;
    }
    if (claimed.status == shm::push_result::corrupt)
      throw error("lane to '" + target.app + "' is corrupt: " + requests.error());
    // Full: the application is busy. Take its replies so it is never stuck on us.
    target.collect();
    if (deadline == 0) deadline = deadline_after(timeout);
    if (clock::mono_nanos() >= deadline)
      throw error("application '" + target.app + "' accepted no command for " +
                  std::to_string(timeout.count()) + " ms");
    std::this_thread::sleep_for(20us);
  }
}

reply client::wait(std::string_view app, std::uint64_t correlation_id,
                   std::chrono::milliseconds timeout) {
  auto& target = lane_of(app);
  const std::int64_t deadline = deadline_after(timeout);
  for (;;) {
    target.collect();
    if (auto got = target.arrived.take(correlation_id)) return std::move(*got);
    if (clock::mono_nanos() >= deadline)
      throw error("no reply from '" + target.app + "' to command " +
                  std::to_string(correlation_id) + " within " + std::to_string(timeout.count()) +
                  " ms");
    target.await_reply(deadline);
  }
}

reply client::call(std::string_view app, std::string_view name, std::string_view args_json,
                   std::chrono::milliseconds timeout) {
  return wait(app, submit(app, name, args_json, timeout), timeout);
}

std::vector<reply> client::take_replies(std::string_view app, std::chrono::milliseconds timeout) {
  auto& target = lane_of(app);
  target.collect();
  if (target.arrived.empty()) {
    target.await_reply(deadline_after(timeout));
    target.collect();
  }
  return target.arrived.take_all();  // by correlation id, as documented
}

std::size_t client::for_each_reply(std::string_view app,
                                   const std::function<void(const reply_view&)>& handle,
                                   std::chrono::milliseconds timeout) {
  auto& target = lane_of(app);
  if (target.arrived.empty() && !target.ingress.replies().has_data() &&
      !target.ledger.owes_up_to(target.ingress.lost_through()))
    target.await_reply(deadline_after(timeout));
  // Those collected while submit() or wait() waited first: they came first.
  std::size_t handed = target.arrived.hand_out(handle);
  // Bounded by what this client sent: replies come only for its commands.
  target.drain(std::numeric_limits<std::size_t>::max(),
               [&](reply_ledger::id_span ids, bool ok, std::string_view payload, bool lost) {
                 for (std::uint64_t id = ids.from; id <= ids.to; ++id) {
                   ++handed;
                   handle(reply_view{id, ok, payload, lost});
                 }
               });
  return handed;
}

}  // namespace weft::node
