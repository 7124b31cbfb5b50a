#include "weft/core/uuid.hpp"

// name_based's direct SHA-1 calls are deprecated in OpenSSL 3 (see there).
#define OPENSSL_SUPPRESS_DEPRECATED

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <ostream>
#include <string>

#include <time.h>

#include <openssl/sha.h>
// Inlined (static in this file): XXH3 of a short input is a few dozen
// instructions, as many as the call into libxxhash and its dispatch cost.
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "random_bytes.hpp"
#include "weft/core/error.hpp"
#include "weft/core/thread_local.hpp"

namespace weft {
namespace {

boost::uuids::uuid to_boost(const uuid& id) {
  boost::uuids::uuid out{};
  std::copy(id.bytes.begin(), id.bytes.end(), out.begin());
  return out;
}

uuid from_boost(const boost::uuids::uuid& id) {
  uuid out;
  std::copy(id.begin(), id.end(), out.bytes.begin());
  return out;
}

// Sets the version nibble and the RFC 4122 variant bits over whatever the
// generator put there.
void stamp(uuid& id, std::uint8_t version) noexcept {
  id.bytes[6] = static_cast<std::uint8_t>((id.bytes[6] & 0x0F) | version << 4);
  id.bytes[8] = static_cast<std::uint8_t>((id.bytes[8] & 0x3F) | 0x80);
}

std::uint64_t to_big_endian(std::uint64_t value) noexcept {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(value);
  return value;
}

// time_ordered's last tick and the counter within it, per thread (read once
// per id: initial-exec, see thread_local.hpp).
struct clock_state {
  std::uint64_t tick = 0;
  std::uint32_t counter = 0;
};
constinit WEFT_HOT_THREAD_LOCAL clock_state last_clock;

}  // namespace

uuid uuid::random() {
  uuid out;
  detail::random_bytes(out.bytes.data(), out.bytes.size());
  stamp(out, 4);
  return out;
}

uuid uuid::time_ordered() {
  // 60 bits of time: milliseconds, then the fraction of the millisecond in
  // 1/4096ths (RFC 9562, method 3). Ids of one clock tick take a 14-bit
  // counter at the top of the random bits (method 1), so they stay ordered
  // without running ahead of the clock; a step back reuses the last tick.
  // The coarse clock (a few ms resolution) costs a quarter of the precise
  // one; the counter orders what it cannot.
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
  const auto seconds = static_cast<std::uint64_t>(now.tv_sec);
  const auto nanos = static_cast<std::uint64_t>(now.tv_nsec);
  const std::uint64_t tick =
      (seconds * 1000 + nanos / 1'000'000) << 12 | (nanos % 1'000'000) * 4096 / 1'000'000;
  // Bytes 8 and 9 are the counter's random start, 10 to 15 the id's random tail.
  uuid out;
  const std::uint64_t random = detail::random_word();
  std::memcpy(out.bytes.data() + 8, &random, 8);
  constexpr std::uint32_t counter_limit = 1U << 14;
  auto& clock = last_clock;
  if (tick > clock.tick) {
    clock.tick = tick;
    // A random start in the lower half (RFC 9562, 6.2): ids that two threads
    // or processes make in one tick rarely share time and counter, the
    // 80 bits that uuid::derived keeps.
    clock.counter = static_cast<std::uint32_t>((out.bytes[8] & 0x1F) << 8 | out.bytes[9]);
  } else if (++clock.counter == counter_limit) {
    ++clock.tick;
    clock.counter = 0;
  }
  // Bytes 0 to 5 the milliseconds, 6 and 7 version 7 and the 12 bits of
  // fraction, big-endian: one store.
  const std::uint64_t high = (clock.tick >> 12) << 16 | 0x7000 | (clock.tick & 0x0FFF);
  const std::uint64_t high_bytes = to_big_endian(high);
  std::memcpy(out.bytes.data(), &high_bytes, 8);
  out.bytes[8] = static_cast<std::uint8_t>(0x80 | (clock.counter >> 8));  // RFC 4122 variant
  out.bytes[9] = static_cast<std::uint8_t>(clock.counter & 0xFF);
  return out;
}

uuid uuid::derived(const uuid& source, std::string_view name) {
  // All of a time-ordered source's time and counter: with its milliseconds
  // alone, the ids derived within one millisecond would land in random order.
  // The other 48 bits need to tell names apart, not to resist an attacker
  // (the names are the program's): XXH3 does that in a few dozen
  // instructions where SHA-1 took over two thousand.
  const std::size_t size = 16 + name.size();
  XXH128_hash_t digest;
  if (size <= 256) {
    std::array<std::uint8_t, 256> input;  // only the first `size` bytes are hashed
    std::memcpy(input.data(), source.bytes.data(), 16);
    if (!name.empty()) std::memcpy(input.data() + 16, name.data(), name.size());
    digest = XXH3_128bits(input.data(), size);
  } else {
    std::string input(reinterpret_cast<const char*>(source.bytes.data()), 16);
    input.append(name);
    digest = XXH3_128bits(input.data(), size);
  }
  XXH128_canonical_t hash;  // big-endian: the same id on every machine
  XXH128_canonicalFromHash(&hash, digest);
  uuid out;
  std::copy_n(source.bytes.begin(), 10, out.bytes.begin());
  std::copy_n(hash.digest, 6, out.bytes.begin() + 10);
  stamp(out, 8);
  return out;
}

uuid uuid::name_based(const uuid& name_space, std::string_view name) {
  // RFC 4122 version 5: SHA-1 of namespace bytes + name. The low-level SHA-1
  // calls are deprecated in OpenSSL 3 in favour of EVP, but EVP looks the
  // digest up in its provider tables on every init: the direct calls take
  // about half the time.
  SHA_CTX context;
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest;
  if (SHA1_Init(&context) != 1 || SHA1_Update(&context, name_space.bytes.data(), 16) != 1 ||
      SHA1_Update(&context, name.data(), name.size()) != 1 ||
      SHA1_Final(digest.data(), &context) != 1)
    throw error("uuid::name_based: OpenSSL SHA-1 failed");
  uuid out;
  std::copy_n(digest.begin(), 16, out.bytes.begin());
  stamp(out, 5);
  return out;
}

uuid uuid::parse(std::string_view text) {
  const bool shaped = text.size() == 36 && text[8] == '-' && text[13] == '-' && text[18] == '-' &&
                      text[23] == '-' && std::all_of(text.begin(), text.end(), [](char c) {
                        return c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                               (c >= 'A' && c <= 'F');
                      });
  if (!shaped) throw invalid_input("not a uuid: '" + std::string(text) + "'");
  return from_boost(boost::uuids::string_generator{}(text.begin(), text.end()));
}

std::string uuid::str() const {
  return boost::uuids::to_string(to_boost(*this));
}

bool uuid::is_nil() const noexcept {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::ostream& operator<<(std::ostream& out, const uuid& id) {
  return out << id.str();
}

}  // namespace weft

std::size_t std::hash<weft::uuid>::operator()(const weft::uuid& id) const noexcept {
  // The bytes are already well mixed (random, time and random, or hashed); fold them.
  std::uint64_t lo = 0, hi = 0;
  for (int i = 0; i < 8; ++i) lo = (lo << 8) | id.bytes[i];
  for (int i = 8; i < 16; ++i) hi = (hi << 8) | id.bytes[i];
  return static_cast<std::size_t>(lo ^ (hi * 0x9E3779B97F4A7C15ULL));
}
