#pragma once
// Cryptographically strong random bytes for uuids, cheap enough to make an id
// per event. Internal to weft_core.
#include <cstddef>
#include <cstdint>

namespace weft::detail {

/// Fills `out` with `size` (at most 64) random bytes: a ChaCha20 keystream
/// per thread, keyed from getrandom(2) and re-keyed after a fork, so a forked
/// child never repeats its parent's bytes. Throws weft::error when the
/// system's entropy source fails. @threadsafe
void random_bytes(std::uint8_t* out, std::size_t size);

/// Eight random bytes (as random_bytes would write them, in memory order),
/// without random_bytes' copy of a variable size. @threadsafe
std::uint64_t random_word();

}  // namespace weft::detail
