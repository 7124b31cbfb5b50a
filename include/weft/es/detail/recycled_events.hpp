#pragma once
// State buffers of stored events, used again. An application records its
// events in batches and forgets them right after (the recorder copies what
// it keeps), so each batch would free as many state buffers as the next one
// allocates: more than malloc's per-thread cache holds, so each of them took
// malloc's slow path. Instead a forgotten event's buffer goes to a list of
// this thread's, and to_stored() encodes a new event into it.
#include <span>

#include "weft/es/stored_event.hpp"

namespace weft::es::detail {

/// Buffers kept per thread at most (a group commit's worth).
inline constexpr std::size_t max_recycled_buffers = 2048;
/// Buffers larger than this are freed, not kept.
inline constexpr std::size_t max_recycled_bytes = 4096;

/// An empty buffer: a recycled one if this thread has one.
bytes take_recycled_state() noexcept;

/// Keeps the state buffers of `events` for this thread's
/// take_recycled_state(), leaving their states empty (or as they were, once
/// the list is full).
void recycle_events(std::span<stored_event> events) noexcept;

}  // namespace weft::es::detail
