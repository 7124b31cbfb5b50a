#pragma once
// weft::Client: talks to a running system from any process of the same user.
// It claims one ingress lane per application it calls (its private request
// ring and reply ring), so its commands to one application stay in order.
// Commands may be pipelined: submit() many, then collect the replies.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/shm/segment.hpp"

namespace weft::node {

struct reply {
  std::uint64_t correlation_id = 0;
  bool ok = false;
  std::string payload;  ///< the application's JSON reply text
  /// Not ok, and no answer from the application: its process died after it
  /// took the command, which may or may not have been applied (see submit()).
  bool lost = false;
};

/// A reply seen where it lies: `payload` is valid only while it is handled.
struct reply_view {
  std::uint64_t correlation_id = 0;
  bool ok = false;
  std::string_view payload;
  bool lost = false;  ///< as reply::lost
};

/// Not thread-safe: one thread uses a client.
class client {
 public:
  /// Attaches to the running system named `system` (one of this user's, with
  /// a live supervisor). Throws weft::invalid_input naming the system and the
  /// systems that are running when there is none of that name.
  static client attach(std::string_view system);
  explicit client(shm::segment segment);
  client(client&&) noexcept;
  ~client();

  /// Sends command `name` with JSON `args_json` to `app` without waiting for
  /// its reply; returns its correlation id (increasing per application, on
  /// from the ids of the lane's earlier clients).
  /// Every command gets one reply: should the application's process die
  /// after taking it and before answering, the reply is an error saying it
  /// may or may not have been applied, once the restarted process runs (it
  /// runs the commands the dead one had not taken). Waits while the
  /// application's lane is full (collecting replies meanwhile), up to
  /// `timeout` (weft::error naming the application then).
  std::uint64_t submit(std::string_view app, std::string_view name, std::string_view args_json,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Waits for the reply to `correlation_id` from `app`; weft::error on timeout.
  reply wait(std::string_view app, std::uint64_t correlation_id,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// submit() then wait().
  reply call(std::string_view app, std::string_view name, std::string_view args_json,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Replies from `app` that arrived and were not waited for, by correlation
  /// id; waits up to `timeout` for at least one when there are none yet.
  std::vector<reply> take_replies(std::string_view app, std::chrono::milliseconds timeout);
  /// The same without a copy of each: hands every reply from `app` that
  /// arrived and was not waited for to `handle`, in arrival order, most read
  /// straight from the ring; returns how many. For pipelining clients, whose
  /// every reply take_replies() would copy (and allocate for). A reply given
  /// to `handle` is handed over even if `handle` throws. `handle` must not
  /// use this client: the payload it sees may move.
  std::size_t for_each_reply(std::string_view app,
                             const std::function<void(const reply_view&)>& handle,
                             std::chrono::milliseconds timeout);

  [[nodiscard]] shm::segment& segment() noexcept;

 private:
  struct lane;
  lane& lane_of(std::string_view app);

  std::unique_ptr<shm::segment> segment_;
  std::map<std::string, std::unique_ptr<lane>, std::less<>> lanes_;
  lane* last_lane_ = nullptr;  // the lane lane_of() found last: callers stay with one app
};

}  // namespace weft::node

namespace weft {
using Client = node::client;
}  // namespace weft
