#include "weft/core/uuid.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <ostream>

#include <openssl/sha.h>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "weft/core/error.hpp"

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

}  // namespace

uuid uuid::random() {
  // One Mersenne Twister per thread, seeded once from the system's entropy
  // source: the default generator makes a getrandom() call per uuid, which
  // dominated the cost of creating aggregates.
  thread_local boost::uuids::random_generator_mt19937 generator;
  return from_boost(generator());
}

uuid uuid::name_based(const uuid& name_space, std::string_view name) {
  // RFC 4122 version 5: SHA-1 of namespace bytes + name. OpenSSL's SHA-1 is
  // several times faster than Boost's byte-at-a-time one, and derived ids are
  // made for every event a policy records.
  std::array<unsigned char, 256> small{};
  std::string large;
  unsigned char* input = small.data();
  const std::size_t size = 16 + name.size();
  if (size > small.size()) {
    large.resize(size);
    input = reinterpret_cast<unsigned char*>(large.data());
  }
  std::memcpy(input, name_space.bytes.data(), 16);
  std::memcpy(input + 16, name.data(), name.size());
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(input, size, digest.data());
  uuid out;
  std::copy_n(digest.begin(), 16, out.bytes.begin());
  out.bytes[6] = static_cast<std::uint8_t>((out.bytes[6] & 0x0F) | 0x50);  // version 5
  out.bytes[8] = static_cast<std::uint8_t>((out.bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
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
  // The bytes are already uniformly distributed (random or SHA-1); fold them.
  std::uint64_t lo = 0, hi = 0;
  for (int i = 0; i < 8; ++i) lo = (lo << 8) | id.bytes[i];
  for (int i = 8; i < 16; ++i) hi = (hi << 8) | id.bytes[i];
  return static_cast<std::size_t>(lo ^ (hi * 0x9E3779B97F4A7C15ULL));
}
