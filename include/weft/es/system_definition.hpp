#pragma once
// A system: applications and the pipes between them. In a pipe each
// application follows the one before it:
//
//   system_definition shop{{"Orders", "Reservations", "Orders"},
//                          {"Orders", "Payments", "Orders"}};
//   // or: pipe("Orders") | "Reservations" | "Orders"
//
// Cycles and self-follow are allowed; an edge declared twice counts once.
// Which C++ type runs an application: a type bound here (bind<App>), or a
// type of the application registry named by use_type() (default: the
// application's own name). A follower's type must be a process application.
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/es/application_registry.hpp"
#include "weft/es/options.hpp"

namespace weft::es {

/// A chain of application names; each follows the one before.
class pipe {
 public:
  pipe(std::string first) : names_{std::move(first)} {}  // NOLINT(google-explicit-constructor)
  pipe(const char* first) : names_{first} {}             // NOLINT(google-explicit-constructor)
  pipe(std::initializer_list<std::string> names) : names_(names) {}

  friend pipe operator|(pipe left, std::string next) {
    left.names_.push_back(std::move(next));
    return left;
  }
  friend pipe operator|(pipe left, const char* next) { return std::move(left) | std::string(next); }

  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  std::vector<std::string> names_;
};

/// One leader -> follower edge.
struct edge {
  std::string leader;
  std::string follower;
  friend bool operator==(const edge&, const edge&) = default;
};

class system_definition {
 public:
  system_definition(std::initializer_list<pipe> pipes);
  explicit system_definition(std::vector<pipe> pipes);

  /// Runs application `app` as the C++ type App (no registry needed).
  template <class App>
  system_definition& bind(std::string_view app) {
    spec(app).bound = make_application_type<App>(std::string(app));
    return *this;
  }
  /// Runs application `app` as the registered type `type_name`.
  system_definition& use_type(std::string_view app, std::string type_name);
  /// Options given to application `app` when it is constructed.
  system_definition& configure(std::string_view app, es::options options);

  /// Every application, in order of first appearance.
  [[nodiscard]] const std::vector<std::string>& apps() const noexcept { return apps_; }
  /// Every edge, in declaration order, without duplicates.
  [[nodiscard]] const std::vector<edge>& edges() const noexcept { return edges_; }
  /// Applications followed by at least one other (declaration order).
  [[nodiscard]] std::vector<std::string> leaders() const;
  /// Applications that follow at least one other.
  [[nodiscard]] std::vector<std::string> followers() const;
  /// Applications that neither lead nor follow.
  [[nodiscard]] std::vector<std::string> singles() const;
  /// Whom `app` follows / who follows `app`, in declaration order. An unknown
  /// name is a weft::invalid_input naming it.
  [[nodiscard]] std::vector<std::string> leaders_of(std::string_view app) const;
  [[nodiscard]] std::vector<std::string> followers_of(std::string_view app) const;
  [[nodiscard]] bool contains(std::string_view app) const;
  /// Applications with leaders before followers; members of a cycle keep their declaration order.
  [[nodiscard]] std::vector<std::string> topological_order() const;
  [[nodiscard]] bool has_cycles() const;

  [[nodiscard]] const es::options& options_of(std::string_view app) const;
  /// The type that runs `app`; invalid_input if it has none.
  [[nodiscard]] const application_type& type_of(
      std::string_view app,
      const application_registry& registry = application_registry::global()) const;
  /// Checks that every application has a type and every follower's type is a
  /// process application; throws weft::invalid_input naming the application.
  void validate(const application_registry& registry = application_registry::global()) const;

 private:
  struct app_spec {
    std::optional<application_type> bound;
    std::string type_name;  // registry name when not bound
    es::options options;
  };
  app_spec& spec(std::string_view app);
  const app_spec& spec(std::string_view app) const;
  [[noreturn]] void unknown(std::string_view app) const;

  std::vector<std::string> apps_;
  std::vector<edge> edges_;
  std::map<std::string, app_spec, std::less<>> specs_;
};

}  // namespace weft::es
