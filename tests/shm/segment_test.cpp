#include "weft/shm/segment.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "weft/core/error.hpp"

namespace weft::shm {
namespace {

using ::testing::HasSubstr;

layout_spec small_spec() {
  layout_spec spec;
  spec.system_name = "shop";
  spec.processes = {"Orders", "Reservations", "Payments"};
  spec.channels = {{0, 1}, {1, 0}, {0, 2}};
  spec.downstream_ring_bytes = 4096;
  spec.upstream_ring_bytes = 1024;
  spec.lanes_per_process = 2;
  spec.request_ring_bytes = 1024;
  spec.reply_ring_bytes = 1024;
  return spec;
}

std::string shm_path(const segment& s) {
  return "/dev/shm/" + s.name();
}

std::string attach_error(const std::string& name) {
  try {
    segment::attach(name);
  } catch (const segment_error& e) {
    return e.what();
  }
  return "attached";
}

TEST(Segment, CreatesAPrivateUniqueNamedSegment) {
  auto a = segment::create(small_spec());
  auto b = segment::create(small_spec());
  EXPECT_NE(a.name(), b.name());
  EXPECT_THAT(a.name(), ::testing::StartsWith("weft." + std::to_string(::geteuid()) + "." +
                                              std::to_string(::getpid()) + "."));
  EXPECT_GE(a.name().size(), 16u + 10u) << "a random component makes it unguessable";
  struct stat st {};
  ASSERT_EQ(::stat(shm_path(a).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());
}

TEST(Segment, AttachSeesTheTablesTheCreatorBuilt) {
  auto created = segment::create(small_spec());
  auto attached = segment::attach(created.name());
  const auto& h = attached.header();
  EXPECT_EQ(h.magic, segment_magic);
  EXPECT_EQ(h.layout_version, layout_version);
  EXPECT_EQ(h.creator_pid, ::getpid());
  EXPECT_EQ(std::string(h.system_name), "shop");
  ASSERT_EQ(attached.process_count(), 3u);
  EXPECT_EQ(name_of(attached.process(1)), "Reservations");
  EXPECT_EQ(attached.find_process("Payments"), 2u);
  EXPECT_EQ(attached.find_process("Nobody"), std::nullopt);
  EXPECT_EQ(attached.channel(1).leader, 1u);
  EXPECT_EQ(attached.channel(1).follower, 0u);
  EXPECT_EQ(attached.process(0).upstream_count, 1u);
  EXPECT_EQ(attached.process(0).upstreams[0].channel, 1u);
  EXPECT_EQ(attached.process(1).upstreams[0].channel, 0u);
  EXPECT_THROW(attached.process(3), std::out_of_range);
  EXPECT_THROW(attached.lane(0, 2), std::out_of_range);

  // Shared for real: a write through one mapping is seen through the other.
  created.process(2).events_recorded.store(17);
  EXPECT_EQ(attached.process(2).events_recorded.load(), 17u);
}

TEST(Segment, EdgeRingsCarryRecordsAndRingTheConsumersDoorbell) {
  auto s = segment::create(small_spec());
  auto leader = s.downstream_producer(0);
  auto follower = s.downstream_consumer(0);
  s.process(1).bell.sleeping.store(1);  // as if Reservations were asleep
  const std::byte b{42};
  ASSERT_EQ(leader.try_push(1, {&b, 1}), push_result::ok);
  EXPECT_EQ(s.process(1).bell.wakes.load(), 1u);
  record_view view;
  ASSERT_EQ(follower.try_read(view), read_status::record);
  EXPECT_EQ(view.payload[0], b);
  auto pull = s.upstream_producer(0);
  ASSERT_EQ(pull.try_push(3, {&b, 1}), push_result::ok);
  EXPECT_EQ(s.process(0).bell.wakes.load(), 0u) << "nobody sleeps in Orders: no wake";
  EXPECT_TRUE(s.upstream_consumer(0).has_data());
}

TEST(Segment, ResetChannelBumpsTheEdgeAndBothRings) {
  auto s = segment::create(small_spec());
  EXPECT_EQ(s.reset_channel(2), 1u);
  EXPECT_EQ(s.downstream_producer(2).epoch(), 1);
  EXPECT_EQ(s.upstream_producer(2).epoch(), 1);
  EXPECT_EQ(s.downstream_producer(0).epoch(), 0);
}

TEST(Segment, AZombieIsNotAlive) {
  EXPECT_TRUE(process_alive(::getpid()));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  // Until it is reaped the child is a zombie: kill(0) still succeeds.
  for (int i = 0; i < 500 && process_alive(child); ++i) ::usleep(2000);
  EXPECT_FALSE(process_alive(child));
  EXPECT_EQ(::kill(child, 0), 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(process_alive(child));
}

TEST(Segment, ProcessStartTicksTellAProcessFromTheNextOneWithItsPid) {
  const auto mine = process_start_ticks(::getpid());
  ASSERT_TRUE(mine.has_value());
  EXPECT_TRUE(process_alive(::getpid(), *mine));
  EXPECT_TRUE(process_alive(::getpid(), 0));  // unknown: the pid alone decides
  EXPECT_FALSE(process_alive(::getpid(), *mine + 1));
}

TEST(Segment, ACreatorWhosePidWasRecycledIsDeadAndItsSegmentStale) {
  auto s = segment::create(small_spec());
  auto& header = const_cast<segment_header&>(s.header());
  ASSERT_EQ(header.creator_start_ticks, process_start_ticks(::getpid()));
  // As if this process had got the pid of a creator that started earlier.
  header.creator_start_ticks -= 1;
  EXPECT_THAT(attach_error(s.name()), HasSubstr("is dead; the segment is stale"));
  const auto systems = list_systems();
  const auto found = std::find_if(systems.begin(), systems.end(),
                                  [&](const system_info& i) { return i.segment_name == s.name(); });
  ASSERT_NE(found, systems.end());
  EXPECT_FALSE(found->creator_alive);
  EXPECT_THAT(found->problem, HasSubstr("its pid now names another process"));
  const auto removed = remove_stale_segments();
  EXPECT_NE(std::find(removed.begin(), removed.end(), s.name()), removed.end());
  EXPECT_FALSE(std::filesystem::exists(shm_path(s)));
}

TEST(Segment, AStartNeverUndoesRunningOrStopping) {
  auto s = segment::create(small_spec());
  auto& e = s.process(0);
  EXPECT_TRUE(enter_state(e, process_state::starting));
  EXPECT_TRUE(enter_state(e, process_state::running));    // the worker came up
  EXPECT_FALSE(enter_state(e, process_state::starting));  // the supervisor's hook, late
  EXPECT_EQ(e.state.load(), process_state::running);
  e.state.store(process_state::stopping);
  EXPECT_FALSE(enter_state(e, process_state::running));  // a worker started during a stop
  EXPECT_EQ(e.state.load(), process_state::stopping);
  e.state.store(process_state::crashed);
  EXPECT_TRUE(enter_state(e, process_state::starting));  // a restart
}

TEST(Segment, LastErrorTextIsCopiedAndTruncated) {
  auto s = segment::create(small_spec());
  set_last_error(s.process(0), "recorder: disk full");
  auto reader = segment_reader::attach(s.name());
  EXPECT_EQ(last_error(reader.process(0)), "recorder: disk full");
  set_last_error(s.process(0), std::string(1000, 'e'));
  EXPECT_EQ(last_error(reader.process(0)).size(), error_text_capacity - 1);
}

TEST(Segment, ReaderMapsReadOnly) {
  auto s = segment::create(small_spec());
  s.process(1).heartbeat_micros.store(123);
  auto reader = segment_reader::attach(s.name());
  EXPECT_EQ(reader.process(1).heartbeat_micros.load(), 123);
  EXPECT_EQ(reader.header().process_count, 3u);
  // A store through the reader's mapping would fault: the pages are read-only.
  const auto* address = reinterpret_cast<const char*>(&reader.header());
  std::ifstream maps("/proc/self/maps");
  std::string line;
  bool found = false;
  while (std::getline(maps, line)) {
    unsigned long from = 0, to = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &from, &to, perms) != 3) continue;
    const auto at = reinterpret_cast<unsigned long>(address);
    if (at >= from && at < to) {
      found = true;
      EXPECT_EQ(perms[1], '-') << line;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Segment, AttachRefusesAWrongLayoutVersion) {
  auto s = segment::create(small_spec());
  const_cast<segment_header&>(s.header()).layout_version = layout_version + 1;
  EXPECT_THAT(attach_error(s.name()),
              HasSubstr(fmt::format("layout version {} but this build reads version {}",
                                    layout_version + 1, layout_version)));
  EXPECT_THAT(attach_error(s.name()), HasSubstr(s.name()));
}

TEST(Segment, AttachRefusesAWrongMagic) {
  auto s = segment::create(small_spec());
  const_cast<segment_header&>(s.header()).magic = 0x1234;
  EXPECT_THAT(attach_error(s.name()), HasSubstr("magic 0x0000000000001234 is not weft's"));
}

TEST(Segment, AttachRefusesASegmentNotReady) {
  auto s = segment::create(small_spec());
  const_cast<segment_header&>(s.header()).ready.store(0);
  EXPECT_THAT(attach_error(s.name()), HasSubstr("has not finished building it"));
}

TEST(Segment, AttachRefusesAForeignMode) {
  auto s = segment::create(small_spec());
  ASSERT_EQ(::chmod(shm_path(s).c_str(), 0644), 0);
  EXPECT_THAT(attach_error(s.name()), HasSubstr("mode 0644, expected 0600"));
  EXPECT_THROW(segment_reader::attach(s.name()), segment_error);
}

// Another user's segment, as far as a test can make one: root hands a fresh
// segment to uid 65534 (nobody). Mapping it would let that user write into
// our processes' memory, so attach, the read-only tools and `weft ls` refuse it.
TEST(Segment, AnotherUsersSegmentIsRefusedAndNotListed) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a segment to another uid";
  auto s = segment::create(small_spec());
  ASSERT_EQ(::chown(shm_path(s).c_str(), 65534, static_cast<gid_t>(-1)), 0);
  EXPECT_THAT(attach_error(s.name()), HasSubstr("owned by uid 65534, not by this user (uid 0)"));
  EXPECT_THROW(segment_reader::attach(s.name()), segment_error);
  const auto systems = list_systems();
  EXPECT_TRUE(std::none_of(systems.begin(), systems.end(),
                           [&](const system_info& i) { return i.segment_name == s.name(); }));
  EXPECT_THAT(remove_stale_segments(), ::testing::Not(::testing::Contains(s.name())));
}

TEST(Segment, AttachRefusesATruncatedOrGrownSegment) {
  auto s = segment::create(small_spec());
  ASSERT_EQ(::truncate(shm_path(s).c_str(), static_cast<off_t>(s.header().total_size + 4096)), 0);
  EXPECT_THAT(attach_error(s.name()), HasSubstr("header says total size"));
}

TEST(Segment, AttachRefusesARingReferenceOutsideTheSegment) {
  auto s = segment::create(small_spec());
  s.channel(1).upstream.offset = s.header().total_size - 64;
  EXPECT_THAT(attach_error(s.name()), HasSubstr("channel 1 upstream: ring at offset"));
}

// Checked at attach is not enough: a peer can overwrite the header and the
// tables afterwards. Indices and ring references are held to what was
// validated, so they cannot be widened past the mapping.
TEST(Segment, TablesRewrittenAfterAttachCannotWidenTheBounds) {
  auto s = segment::create(small_spec());
  auto attached = segment::attach(s.name());
  auto reader = segment_reader::attach(s.name());
  auto& header = const_cast<segment_header&>(s.header());
  header.process_count = 1'000'000;
  header.channel_count = 1'000'000;
  header.lanes_per_process = 1'000;
  header.channel_table_offset = header.total_size;
  EXPECT_EQ(attached.process_count(), 3u);
  EXPECT_THROW((void)attached.process(3), std::out_of_range);
  EXPECT_THROW((void)attached.channel(3), std::out_of_range);
  EXPECT_THROW((void)attached.lane(0, 2), std::out_of_range);
  EXPECT_THROW((void)reader.process(3), std::out_of_range);
  EXPECT_THROW((void)reader.lane(2, 2), std::out_of_range);
  EXPECT_EQ(attached.channel(2).follower, 2u);  // still the validated table

  s.channel(0).downstream.offset = header.total_size - 64;
  s.lane(1, 0).reply.capacity = 1u << 20;
  EXPECT_THROW(
      {
        try {
          attached.downstream_consumer(0);
        } catch (const segment_error& e) {
          EXPECT_THAT(e.what(), HasSubstr(s.name()));
          EXPECT_THAT(e.what(), HasSubstr("does not fit"));
          throw;
        }
      },
      segment_error);
  EXPECT_THROW((void)attached.ring(attached.lane(1, 0).reply), segment_error);
  EXPECT_EQ(reader.ring_fill(reader.channel(0).downstream), 0u);
}

TEST(Segment, AttachRefusesAMissingSegment) {
  EXPECT_THAT(attach_error("weft.0.1.doesnotexist"),
              HasSubstr("segment weft.0.1.doesnotexist: cannot open"));
}

TEST(Segment, LayoutSpecErrorsNameTheField) {
  auto bad = small_spec();
  bad.downstream_ring_bytes = 3000;
  EXPECT_THROW(
      {
        try {
          segment_layout::compute(bad);
        } catch (const invalid_input& e) {
          EXPECT_THAT(e.what(), HasSubstr("layout_spec.downstream_ring_bytes: 3000"));
          throw;
        }
      },
      invalid_input);
  bad = small_spec();
  bad.channels.push_back({0, 9});
  EXPECT_THROW(segment_layout::compute(bad), invalid_input);
  bad = small_spec();
  bad.processes.push_back("Orders");
  EXPECT_THROW(segment_layout::compute(bad), invalid_input);
}

TEST(Segment, StaleSegmentsAreRemovedAndLiveOnesKept) {
  auto live = segment::create(small_spec());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      auto orphan = segment::create(small_spec());
      orphan.set_owner(false);  // die without cleaning up, like a crashed supervisor
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_EQ(WEXITSTATUS(status), 0);

  const auto systems = list_systems();
  auto by_creator = [&](std::int32_t pid) {
    return std::find_if(systems.begin(), systems.end(),
                        [&](const system_info& i) { return i.creator_pid == pid; });
  };
  const auto mine = std::find_if(systems.begin(), systems.end(), [&](const system_info& i) {
    return i.segment_name == live.name();
  });
  ASSERT_NE(mine, systems.end());
  EXPECT_TRUE(mine->creator_alive);
  EXPECT_EQ(mine->system_name, "shop");
  EXPECT_EQ(mine->process_count, 3u);
  EXPECT_GT(mine->created_micros, 0);
  const auto orphan = by_creator(child);
  ASSERT_NE(orphan, systems.end());
  EXPECT_FALSE(orphan->creator_alive);

  const auto removed = remove_stale_segments();
  EXPECT_THAT(removed, ::testing::Contains(orphan->segment_name));
  EXPECT_THAT(removed, ::testing::Not(::testing::Contains(live.name())));
  EXPECT_FALSE(std::filesystem::exists("/dev/shm/" + orphan->segment_name));
  EXPECT_TRUE(std::filesystem::exists(shm_path(live)));
  EXPECT_NO_THROW(segment::attach(live.name()));
}

TEST(Segment, CreatorRemovesItsNameOnDestruction) {
  std::string name;
  {
    auto s = segment::create(small_spec());
    name = s.name();
    EXPECT_TRUE(std::filesystem::exists("/dev/shm/" + name));
  }
  EXPECT_FALSE(std::filesystem::exists("/dev/shm/" + name));
}

}  // namespace
}  // namespace weft::shm
