#pragma once
// Errors of the actor layer; all are weft::error so callers can catch one base.
#include "weft/core/error.hpp"

namespace weft::actor {

/// An ask got no reply within its timeout.
class ask_timeout : public weft::error {
 public:
  using weft::error::error;
};

/// A child or root name is taken or malformed.
class invalid_actor_name : public weft::invalid_input {
 public:
  using weft::invalid_input::invalid_input;
};

/// The actor system is shutting down or stopped.
class system_stopped : public weft::error {
 public:
  using weft::error::error;
};

}  // namespace weft::actor
