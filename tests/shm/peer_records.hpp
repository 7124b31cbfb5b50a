#pragma once
// The records the multi-process tests send: a sequence number, the producer,
// filler whose length varies with the sequence, and a checksum over it all,
// so a torn or misplaced record cannot pass for a good one.
#include <cstdint>
#include <cstring>
#include <span>

namespace weft::shm::test {

inline constexpr std::size_t record_fixed = 8 + 4 + 4 + 8;

inline std::size_t filler_size(std::uint64_t seq) {
  return (seq * 7919) % 200;
}
inline std::size_t record_size(std::uint64_t seq) {
  return record_fixed + filler_size(seq);
}

inline std::uint64_t fnv1a(const std::byte* data, std::size_t n) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<std::uint8_t>(data[i]);
    h *= 1099511628211ull;
  }
  return h;
}

inline void write_record(std::span<std::byte> out, std::uint64_t seq, std::uint32_t producer) {
  const auto filler = static_cast<std::uint32_t>(filler_size(seq));
  std::memcpy(out.data(), &seq, 8);
  std::memcpy(out.data() + 8, &producer, 4);
  std::memcpy(out.data() + 12, &filler, 4);
  for (std::uint32_t i = 0; i < filler; ++i) out[16 + i] = static_cast<std::byte>(seq + i);
  const std::uint64_t sum = fnv1a(out.data(), 16 + filler);
  std::memcpy(out.data() + 16 + filler, &sum, 8);
}

struct parsed {
  std::uint64_t seq;
  std::uint32_t producer;
};

/// False if the bytes are not a whole, consistent record.
inline bool read_record(std::span<const std::byte> in, parsed& out) {
  if (in.size() < record_fixed) return false;
  std::uint32_t filler = 0;
  std::memcpy(&out.seq, in.data(), 8);
  std::memcpy(&out.producer, in.data() + 8, 4);
  std::memcpy(&filler, in.data() + 12, 4);
  if (in.size() != record_fixed + filler || filler != filler_size(out.seq)) return false;
  std::uint64_t sum = 0;
  std::memcpy(&sum, in.data() + 16 + filler, 8);
  return sum == fnv1a(in.data(), 16 + filler);
}

}  // namespace weft::shm::test
