#pragma once
// Every recorder the conformance suite runs against. A backend opens a
// recorder on its storage; opening again after the previous one is gone
// shows what survives (persistent backends keep everything).
#include <gtest/gtest.h>

#include <memory>

#include "temp_dir.hpp"
#include "weft/store/memory_recorder.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::test {

struct memory_backend {
  static constexpr bool persistent = false;
  std::unique_ptr<es::recorder> open() { return store::make_memory_recorder(); }
};

template <store::durability Sync, bool Exclusive>
struct sqlite_backend {
  static constexpr bool persistent = true;
  temp_dir dir;
  std::unique_ptr<es::recorder> open() {
    store::sqlite_options options;
    options.sync = Sync;
    options.exclusive = Exclusive;
    return store::make_sqlite_recorder(dir.path() / "app.sqlite", options);
  }
};
using sqlite_full_backend = sqlite_backend<store::durability::full, true>;
using sqlite_normal_backend = sqlite_backend<store::durability::normal, true>;
// Not exclusive: a separate reader connection and SQLite's plain VFS.
using sqlite_shared_backend = sqlite_backend<store::durability::normal, false>;

using recorder_backends = ::testing::Types<memory_backend, sqlite_full_backend,
                                           sqlite_normal_backend, sqlite_shared_backend>;

struct backend_names {
  template <class T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, memory_backend>) return "memory";
    if constexpr (std::is_same_v<T, sqlite_full_backend>) return "sqlite_full";
    if constexpr (std::is_same_v<T, sqlite_normal_backend>) return "sqlite_normal";
    if constexpr (std::is_same_v<T, sqlite_shared_backend>) return "sqlite_shared";
    return "unknown";
  }
};

/// A recorder under test on a backend; reopen() drops it and opens another on the same storage.
template <class Backend>
class recorder_test : public ::testing::Test {
 protected:
  void reopen() {
    recorder_.reset();
    recorder_ = backend_.open();
  }
  es::recorder& recorder() { return *recorder_; }

  Backend backend_;
  std::unique_ptr<es::recorder> recorder_ = backend_.open();
};

/// An event of `originator` at `version`, with a topic and bytes that tell it apart.
inline es::stored_event event(const uuid& originator, std::uint64_t version,
                              std::string topic = "test.Happened") {
  return es::stored_event{originator, version, std::move(topic),
                          es::bytes{static_cast<std::uint8_t>(version), 0, 0xff,
                                    static_cast<std::uint8_t>(originator.bytes[0])}};
}

}  // namespace weft::test
