#pragma once
// Exceptions for broken invariants and user-facing errors. Expected outcomes
// on hot or fallible paths use weft::result (result.hpp) instead.
#include <stdexcept>
#include <string>

namespace weft {

/// Base of every exception weft throws; the message names the input at fault.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad input from a user: a file, an argument, a command payload.
class invalid_input : public error {
 public:
  using error::error;
};

/// Data that cannot be decoded: an unknown topic, truncated bytes.
class decode_error : public error {
 public:
  using error::error;
};

/// A write lost a race: an (originator_id, version) or tracking record that exists already.
class integrity_error : public error {
 public:
  using error::error;
};

/// The storage backend failed (I/O, locked database, full disk).
class storage_error : public error {
 public:
  using error::error;
};

}  // namespace weft
