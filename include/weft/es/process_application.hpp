#pragma once
// Process applications: applications that follow others. A policy turns each
// upstream event into new events (saved on the `processing` object); the new
// events and the upstream's tracking position are recorded in ONE
// insert_events call, so a notification's effects are recorded exactly once:
// a notification at or below the tracking position is skipped, and a race
// lost on the tracking record means "someone did it already".
//
//   class Reservations : public weft::es::process_application {
//    public:
//     explicit Reservations(weft::es::app_context c) : process_application(std::move(c)) {
//       on<&Reservations::order_created>();
//     }
//     void order_created(const OrderCreated& e, weft::es::processing& p) {
//       auto r = Reservation::create(...);
//       p.save(r);
//     }
//   };
//
// Options: batch_size = N (default 100): at most N upstream notifications are
// processed in one transaction (tracking = the last id); how catch-up is fast.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/es/application.hpp"
#include "weft/es/codec.hpp"

namespace weft::es {

class process_application;

/// What one process() or pull() call did.
struct process_outcome {
  std::size_t processed = 0;   ///< notifications handed to the policy
  std::size_t recorded = 0;    ///< new events recorded
  std::size_t skipped = 0;     ///< notifications tracked already (or by a concurrent writer)
  std::uint64_t position = 0;  ///< the upstream's tracking position afterwards

  process_outcome& operator+=(const process_outcome& more) noexcept {
    processed += more.processed;
    recorded += more.recorded;
    skipped += more.skipped;
    position = more.position;
    return *this;
  }
};

/// The upstream event a policy is processing, and where its results go.
class processing {
 public:
  processing(process_application& app, std::string_view upstream, const notification& source)
      : app_(app), upstream_(upstream), source_(source) {}

  /// Collects the aggregates' new events for the transaction that also
  /// records this notification's tracking position.
  template <class... A>
  void save(A&... aggregates);

  [[nodiscard]] std::string_view upstream() const noexcept { return upstream_; }
  [[nodiscard]] const notification& source() const noexcept { return source_; }

 private:
  process_application& app_;
  std::string_view upstream_;
  const notification& source_;
};

/// An upstream event given to the generic policy, decoded on demand.
class event_view {
 public:
  explicit event_view(const notification& source) noexcept : source_(source) {}

  [[nodiscard]] const notification& source() const noexcept { return source_; }
  [[nodiscard]] std::string_view topic() const noexcept { return source_.event.topic; }
  [[nodiscard]] const uuid& originator_id() const noexcept { return source_.event.originator_id; }
  [[nodiscard]] std::uint64_t originator_version() const noexcept {
    return source_.event.originator_version;
  }
  template <domain_event E>
  [[nodiscard]] bool is() const noexcept {
    return topic() == topic_of<E>;
  }
  /// The event as an E; weft::decode_error if it is another topic or undecodable.
  template <domain_event E>
  [[nodiscard]] E as() const {
    return decode<E>(source_.event);
  }

 private:
  const notification& source_;
};

class process_application : public application {
 public:
  explicit process_application(app_context context);
  ~process_application() override;

  /// Processes notifications of `upstream` that were read elsewhere (from the
  /// leader's recorder, a log section, a shared-memory ring), in ascending id
  /// order, batch_size per transaction. Notifications at or below the tracking
  /// position are skipped; so are topics not followed (they still advance the
  /// position). `through` (optional) says the caller has seen every
  /// notification up to that id, e.g. when `batch` was filtered by topic, so
  /// the last transaction tracks it. Policy errors propagate; what they
  /// staged is discarded.
  process_outcome process(std::string_view upstream, std::span<const notification> batch,
                          std::uint64_t through = 0);

  /// Reads `upstream`'s notifications after its tracking position from the
  /// leader's log, up to `up_to` (default: the leader's last notification now),
  /// and processes them, batch_size per transaction.
  process_outcome pull(std::string_view upstream, const notification_log& leader,
                       std::optional<std::uint64_t> up_to = std::nullopt);
  process_outcome pull(std::string_view upstream, recorder& leader,
                       std::optional<std::uint64_t> up_to = std::nullopt);

  /// How far `upstream` has been processed (its max tracking id).
  [[nodiscard]] std::uint64_t position(std::string_view upstream);

  /// Topics the policy wants; empty means every topic.
  [[nodiscard]] const std::vector<std::string>& follow_topics() const noexcept;
  [[nodiscard]] std::size_t batch_size() const noexcept;

 protected:
  /// Registers a member function `void App::f(const E&, processing&)` as the
  /// handler of E's topic: on<&App::f>().
  template <auto Method>
  void on();

  /// Registers a callable `void(const E&, processing&)` as the handler of E's topic.
  template <domain_event E, class F>
  void on(F&& handler);

  /// Only events of these topics reach the policy (read filtered when pulling).
  void set_follow_topics(std::vector<std::string> topics);

  /// Called for every followed event without a registered handler. Does nothing by default.
  virtual void policy(const event_view& event, processing& processing);

 private:
  struct handler {
    std::string topic;
    void (*invoke)(process_application&, const handler&, const notification&, processing&);
    std::function<void(const notification&, processing&)> callable;  // for on<E>(F)
  };

  template <class>
  struct method_traits;
  template <class App, class E>
  struct method_traits<void (App::*)(const E&, processing&)> {
    using app_type = App;
    using event_type = E;
  };

  void committed(std::span<const tracking> tracked) override;
  void add_handler(handler entry);
  static constexpr std::size_t no_handler = SIZE_MAX;
  /// The index of the handler of `topic` in handlers_, or no_handler.
  std::size_t handler_for(std::string_view topic) const noexcept;
  bool follows(std::string_view topic) const noexcept;
  std::uint64_t& cached_position(std::string_view upstream);
  process_outcome process_chunk(std::string_view upstream, std::uint64_t& position,
                                std::span<const notification> chunk, std::uint64_t track_to);

  std::vector<handler> handlers_;
  std::vector<std::string> follow_topics_;
  std::size_t batch_size_;
  std::deque<std::pair<std::string, std::uint64_t>> positions_;  // stable references
  std::size_t last_position_ = 0;
  notification_query pull_query_;
  std::vector<notification> pulled_;  // pull()'s buffer, reused
  bool pulling_ = false;              // pulled_ is in use
};

template <class... A>
void processing::save(A&... aggregates) {
  static_cast<application&>(app_).save(aggregates...);
}

template <auto Method>
void process_application::on() {
  using traits = method_traits<decltype(Method)>;
  using App = typename traits::app_type;
  using E = typename traits::event_type;
  static_assert(std::is_base_of_v<process_application, App>);
  add_handler({std::string(topic_of<E>),
               [](process_application& self, const handler&, const notification& source,
                  processing& processing) {
                 E event{};
                 decode_into(source.event.state, event);
                 (static_cast<App&>(self).*Method)(event, processing);
               },
               {}});
}

template <domain_event E, class F>
void process_application::on(F&& handler_fn) {
  add_handler(
      {std::string(topic_of<E>),
       [](process_application&, const handler& self, const notification& source,
          processing& processing) { self.callable(source, processing); },
       [fn = std::forward<F>(handler_fn)](const notification& source, processing& processing) {
         E event{};
         decode_into(source.event.state, event);
         fn(event, processing);
       }});
}

}  // namespace weft::es
