#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "weft/core/error.hpp"
#include "weft/core/uuid.hpp"

namespace weft {

TEST(Uuid, RandomIsVersion4AndDistinct) {
  std::unordered_set<uuid> seen;
  for (int i = 0; i < 1000; ++i) {
    const uuid id = uuid::random();
    EXPECT_EQ(id.bytes[6] >> 4, 4);
    EXPECT_EQ(id.bytes[8] >> 6, 2);  // RFC 4122 variant
    EXPECT_TRUE(seen.insert(id).second);
  }
}

// Ids a forked child makes: it inherits its parent's per-thread random pool
// (key and buffered bytes), which must not give it the parent's ids.
template <class Make>
void expect_forked_child_makes_other_ids(Make make) {
  constexpr int count = 600;  // more than one 4 KiB pool refill of 8-byte draws
  (void)make();               // the parent's per-thread pool now holds bytes
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    std::vector<uuid> ids;
    for (int i = 0; i < count; ++i) ids.push_back(make());
    const auto bytes = static_cast<ssize_t>(ids.size() * sizeof(uuid));
    ::_exit(::write(fds[1], ids.data(), static_cast<std::size_t>(bytes)) == bytes ? 0 : 1);
  }
  ::close(fds[1]);
  std::vector<uuid> in_parent;
  for (int i = 0; i < count; ++i) in_parent.push_back(make());
  std::vector<uuid> in_child(count);
  std::size_t got = 0;
  const std::size_t want = in_child.size() * sizeof(uuid);
  while (got < want) {
    const ssize_t n = ::read(fds[0], reinterpret_cast<char*>(in_child.data()) + got, want - got);
    ASSERT_GT(n, 0) << "the child wrote " << got << " of " << want << " bytes";
    got += static_cast<std::size_t>(n);
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // The random tail (bytes 10-15) alone must differ: time and counter may match.
  auto tail = [](const uuid& id) {
    std::uint64_t out = 0;
    for (int i = 10; i < 16; ++i) out = out << 8 | id.bytes[i];
    return out;
  };
  std::unordered_set<std::uint64_t> parent_tails;
  for (const uuid& id : in_parent) parent_tails.insert(tail(id));
  for (const uuid& id : in_child) EXPECT_FALSE(parent_tails.contains(tail(id))) << id;
}

TEST(Uuid, RandomInAForkedChildDoesNotRepeatItsParent) {
  expect_forked_child_makes_other_ids([] { return uuid::random(); });
}

TEST(Uuid, TimeOrderedInAForkedChildDoesNotRepeatItsParent) {
  expect_forked_child_makes_other_ids([] { return uuid::time_ordered(); });
}

TEST(Uuid, RandomBitsLookUniform) {
  // Many pool refills' worth: every bit of the random tail is set about half the time.
  constexpr int count = 20'000;
  std::array<int, 48> ones{};
  for (int i = 0; i < count; ++i) {
    const uuid id = uuid::time_ordered();
    for (int bit = 0; bit < 48; ++bit) ones[bit] += (id.bytes[10 + bit / 8] >> (bit % 8)) & 1;
  }
  for (int bit = 0; bit < 48; ++bit) {
    EXPECT_GT(ones[bit], count * 45 / 100) << "bit " << bit;
    EXPECT_LT(ones[bit], count * 55 / 100) << "bit " << bit;
  }
}

std::uint64_t millis_of(const uuid& id) {
  std::uint64_t millis = 0;
  for (int i = 0; i < 6; ++i) millis = millis << 8 | id.bytes[i];
  return millis;
}

std::uint64_t unix_millis_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

TEST(Uuid, TimeOrderedIsVersion7AndCarriesTheTimeItWasMade) {
  const std::uint64_t before = unix_millis_now();
  const uuid id = uuid::time_ordered();
  const std::uint64_t after = unix_millis_now();
  EXPECT_EQ(id.bytes[6] >> 4, 7);
  EXPECT_EQ(id.bytes[8] >> 6, 2);  // RFC 4122 variant
  // Read from the kernel's coarse clock, which lags by a few milliseconds.
  constexpr std::uint64_t lag = 100;
  EXPECT_GE(millis_of(id) + lag, before);
  EXPECT_LE(millis_of(id), after);
}

TEST(Uuid, TimeOrderedIdsSortInTheOrderTheyWereMade) {
  // Many ids share a clock tick: the per-thread counter must still order them.
  uuid previous = uuid::time_ordered();
  for (int i = 0; i < 100'000; ++i) {
    const uuid next = uuid::time_ordered();
    ASSERT_LT(previous, next) << "id " << i;
    previous = next;
  }
}

TEST(Uuid, TimeOrderedIdsOfConcurrentThreadsAreDistinct) {
  constexpr int per_thread = 20'000;
  std::vector<uuid> a, b;
  auto make = [](std::vector<uuid>& out) {
    for (int i = 0; i < per_thread; ++i) out.push_back(uuid::time_ordered());
  };
  std::thread one(make, std::ref(a)), two(make, std::ref(b));
  one.join();
  two.join();
  std::unordered_set<uuid> seen(a.begin(), a.end());
  for (const uuid& id : b) EXPECT_TRUE(seen.insert(id).second);
  EXPECT_EQ(seen.size(), 2u * per_thread);
}

TEST(Uuid, DerivedIsVersion8StableAndKeepsItsSourcesTime) {
  const uuid source = uuid::time_ordered();
  const uuid id = uuid::derived(source, "reservation");
  EXPECT_EQ(id, uuid::derived(source, "reservation"));
  EXPECT_NE(id, uuid::derived(source, "payment"));
  EXPECT_NE(id, uuid::derived(uuid::time_ordered(), "reservation"));
  EXPECT_NE(id, uuid::name_based(source, "reservation"));
  EXPECT_EQ(id.bytes[6] >> 4, 8);
  EXPECT_EQ(id.bytes[8] >> 6, 2);
  EXPECT_EQ(millis_of(id), millis_of(source));
}

TEST(Uuid, DerivedIdsAreTheSameInEveryReleaseAndOnEveryMachine) {
  // A policy re-run after an upgrade, or on another machine, must derive the
  // ids it derived before: this pins the derivation (XXH3-128, big-endian).
  const uuid source = uuid::parse("01890a5d-ac96-774b-bcce-b302099a8057");
  EXPECT_EQ(uuid::derived(source, "reaction").str(), "01890a5d-ac96-874b-bcce-e0a6153c5648");
  const std::string long_name(1000, 'x');  // past the stack buffer
  EXPECT_EQ(uuid::derived(source, long_name).str(), "01890a5d-ac96-874b-bcce-046e039cd9b8");
}

TEST(Uuid, DerivedIdsOfOneSourceAreDistinctPerName) {
  const uuid source = uuid::time_ordered();
  std::unordered_set<uuid> seen;
  for (int i = 0; i < 10'000; ++i)
    EXPECT_TRUE(seen.insert(uuid::derived(source, "name-" + std::to_string(i))).second) << i;
  EXPECT_TRUE(seen.insert(uuid::derived(source, "")).second);
}

TEST(Uuid, DerivedIdsSortLikeTheirSources) {
  // Even sources made in one millisecond: their order must carry over, or a
  // follower's inserts land at random places in the index.
  uuid source = uuid::time_ordered();
  for (int i = 0; i < 10'000; ++i) {
    const uuid next = uuid::time_ordered();
    for (const char* name : {"a", "reservation"})
      ASSERT_LT(uuid::derived(source, name), uuid::derived(next, "a")) << i << " " << name;
    source = next;
  }
}

TEST(Uuid, NameBasedIsVersion5AndStable) {
  const uuid ns = uuid::parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");  // RFC 4122 DNS namespace
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
  EXPECT_EQ(uuid::name_based(ns, "python.org").str(), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  EXPECT_EQ(uuid::name_based(ns, "a"), uuid::name_based(ns, "a"));
  EXPECT_NE(uuid::name_based(ns, "a"), uuid::name_based(ns, "b"));
}

TEST(Uuid, ParseRoundTripsAndRejectsGarbageNamingIt) {
  const uuid id = uuid::random();
  EXPECT_EQ(uuid::parse(id.str()), id);
  EXPECT_TRUE(uuid::nil().is_nil());
  try {
    uuid::parse("not-a-uuid");
    FAIL() << "parse accepted garbage";
  } catch (const invalid_input& e) {
    EXPECT_NE(std::string(e.what()).find("not-a-uuid"), std::string::npos);
  }
  EXPECT_THROW(uuid::parse("6ba7b810-9dad-11d1-80b4-00c04fd430cZ"), invalid_input);
}

}  // namespace weft
