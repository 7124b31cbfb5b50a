#pragma once
// A small result type for expected failures on hot or fallible paths:
// either a value or an error code with a message. No exceptions on that path.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace weft {

/// Why an operation did not produce a value. `code` is for branching,
/// `message` for people.
struct failure {
  enum class code { invalid, not_found, conflict, timeout, closed, full, io };
  code what;
  std::string message;
};

template <class T>
class result {
 public:
  result(T value) : state_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  result(failure fail) : state_(std::move(fail)) {}       // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  [[nodiscard]] const failure& error() const { assert(!ok()); return std::get<1>(state_); }

 private:
  std::variant<T, failure> state_;
};

/// result<void>: success or a failure.
template <>
class result<void> {
 public:
  result() = default;
  result(failure fail) : fail_(std::move(fail)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  [[nodiscard]] const failure& error() const { assert(!ok_); return fail_; }

 private:
  failure fail_{};
  bool ok_ = true;
};

}  // namespace weft
