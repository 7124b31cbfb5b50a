#include "weft/runner/restart_policy.hpp"

#include <gtest/gtest.h>

namespace weft::runner {
namespace {

using namespace std::chrono_literals;
using time_point = restart_policy::time_point;

restart_limits no_jitter(std::uint32_t max_restarts) {
  restart_limits limits;
  limits.max_restarts = max_restarts;
  limits.window = 60s;
  limits.backoff_initial = 100ms;
  limits.backoff_max = 1000ms;
  limits.jitter = 0;
  return limits;
}

const time_point t0{std::chrono::hours(1)};

TEST(RestartPolicy, BackoffDoublesPerFailureInTheWindowUpToTheCap) {
  restart_policy policy(no_jitter(10));
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(policy.on_failure(t0 + i * 1s)->count());
  EXPECT_EQ(delays, (std::vector<std::int64_t>{100, 200, 400, 800, 1000, 1000}));
}

TEST(RestartPolicy, GivesUpOnTheFailureThatExceedsMaxRestarts) {
  restart_policy policy(no_jitter(3));
  EXPECT_TRUE(policy.on_failure(t0));
  EXPECT_TRUE(policy.on_failure(t0 + 1s));
  EXPECT_TRUE(policy.on_failure(t0 + 2s));
  EXPECT_FALSE(policy.on_failure(t0 + 3s));
  EXPECT_EQ(policy.failures_in_window(t0 + 3s), 4u);
}

TEST(RestartPolicy, FailuresOlderThanTheWindowAreForgiven) {
  restart_policy policy(no_jitter(2));
  EXPECT_TRUE(policy.on_failure(t0));
  EXPECT_TRUE(policy.on_failure(t0 + 10s));
  // The first failure leaves the window exactly 60 s later.
  EXPECT_EQ(policy.failures_in_window(t0 + 60s), 1u);
  EXPECT_TRUE(policy.on_failure(t0 + 60s));
  EXPECT_FALSE(policy.on_failure(t0 + 61s));
}

TEST(RestartPolicy, BackoffStartsOverOnceTheWindowIsQuiet) {
  restart_policy policy(no_jitter(10));
  policy.on_failure(t0);
  policy.on_failure(t0 + 1s);
  EXPECT_EQ(policy.on_failure(t0 + 2s)->count(), 400);
  EXPECT_EQ(policy.on_failure(t0 + 10min)->count(), 100);
}

TEST(RestartPolicy, ZeroMaxRestartsGivesUpAtOnce) {
  restart_policy policy(no_jitter(0));
  EXPECT_FALSE(policy.on_failure(t0));
}

TEST(RestartPolicy, JitterShortensWithinItsFractionAndIsReproducibleBySeed) {
  auto limits = no_jitter(100);
  limits.jitter = 0.5;
  limits.backoff_max = 100ms;  // every un-jittered delay is 100 ms
  restart_policy a(limits, 42), b(limits, 42), c(limits, 43);
  std::vector<std::int64_t> seq_a, seq_b, seq_c;
  for (int i = 0; i < 20; ++i) {
    seq_a.push_back(a.on_failure(t0 + i * 1s)->count());
    seq_b.push_back(b.on_failure(t0 + i * 1s)->count());
    seq_c.push_back(c.on_failure(t0 + i * 1s)->count());
  }
  EXPECT_EQ(seq_a, seq_b);
  EXPECT_NE(seq_a, seq_c);
  for (auto d : seq_a) {
    EXPECT_GE(d, 50);
    EXPECT_LE(d, 100);
  }
}

TEST(RestartPolicy, LimitsComeFromTheSystemFile) {
  supervision_spec spec;
  spec.max_restarts = 7;
  spec.window = 30s;
  spec.backoff_initial = 5ms;
  spec.backoff_max = 70ms;
  const auto limits = restart_limits::from(spec);
  EXPECT_EQ(limits.max_restarts, 7u);
  EXPECT_EQ(limits.window, 30s);
  EXPECT_EQ(limits.backoff_initial, 5ms);
  EXPECT_EQ(limits.backoff_max, 70ms);
}

}  // namespace
}  // namespace weft::runner
