#include "weft/shm/spsc_ring.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "ring_fixture.hpp"
#include "weft/core/error.hpp"

namespace weft::shm {
namespace {

using test::bytes_of;
using test::local_ring;
using test::text_of;
using ::testing::HasSubstr;

constexpr std::uint16_t data_type = 7;

std::string read_text(spsc_consumer& consumer) {
  record_view view;
  EXPECT_EQ(consumer.try_read(view), read_status::record) << consumer.error();
  return text_of(view.payload);
}

TEST(SpscRing, EmptyRingHasNothingToRead) {
  local_ring ring(1024);
  spsc_consumer consumer(ring.region);
  record_view view;
  EXPECT_EQ(consumer.try_read(view), read_status::empty);
  EXPECT_FALSE(consumer.has_data());
}

TEST(SpscRing, DeliversTypeEpochAndPayload) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr);
  spsc_consumer consumer(ring.region);
  ASSERT_EQ(producer.try_push(data_type, bytes_of("hello")), push_result::ok);
  EXPECT_TRUE(consumer.has_data());
  record_view view;
  ASSERT_EQ(consumer.try_read(view), read_status::record);
  EXPECT_EQ(view.type, data_type);
  EXPECT_EQ(view.epoch, 0);
  EXPECT_EQ(text_of(view.payload), "hello");
  EXPECT_EQ(consumer.try_read(view), read_status::empty);
}

TEST(SpscRing, ZeroLengthPayloadIsARecord) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr);
  spsc_consumer consumer(ring.region);
  ASSERT_EQ(producer.try_push(data_type, {}), push_result::ok);
  record_view view;
  ASSERT_EQ(consumer.try_read(view), read_status::record);
  EXPECT_TRUE(view.payload.empty());
}

TEST(SpscRing, PadsAtTheWrapAndKeepsRecordsWhole) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr);
  spsc_consumer consumer(ring.region);
  const std::string big(200, 'x');  // 208 bytes on the ring
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(producer.try_push(data_type, bytes_of(big)), push_result::ok);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(read_text(consumer), big);
  consumer.release();
  // 832 used; the next 208 bytes do not fit before 1024: 192 bytes of padding.
  const std::string marker = std::string(199, 'y') + "!";
  ASSERT_EQ(producer.try_push(data_type, bytes_of(marker)), push_result::ok);
  record_header padding{};
  std::memcpy(&padding, ring.region.data + 832, sizeof padding);
  EXPECT_EQ(padding.type, record_type::padding);
  EXPECT_EQ(padding.length, 192u);
  EXPECT_EQ(read_text(consumer), marker);
  EXPECT_EQ(consumer.position(), 1024u + 208u);
}

TEST(SpscRing, ManyLapsOfVariableRecordsArriveInOrder) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr);
  spsc_consumer consumer(ring.region);
  std::size_t pushed = 0, read = 0;
  while (read < 5000) {
    const std::string text = std::to_string(pushed) + std::string(pushed % 97, '.');
    if (pushed < 5000 && producer.try_push(data_type, bytes_of(text)) == push_result::ok) {
      ++pushed;
      continue;
    }
    record_view view;
    ASSERT_EQ(consumer.try_read(view), read_status::record);
    EXPECT_EQ(text_of(view.payload), std::to_string(read) + std::string(read % 97, '.'));
    ++read;
    if (read % 3 == 0) consumer.release();
  }
}

TEST(SpscRing, FullIsBackPressureAndNothingIsLost) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr);
  spsc_consumer consumer(ring.region);
  int pushed = 0;
  while (producer.try_push(data_type, bytes_of(std::string(56, 'a' + pushed % 26))) ==
         push_result::ok) {
    ++pushed;
  }
  EXPECT_EQ(pushed, 15);  // 16 x 64 bytes would leave no free header slot
  EXPECT_EQ(producer.try_claim(data_type, 56).status, push_result::full);
  // Reading alone does not make room; releasing does.
  EXPECT_EQ(read_text(consumer), std::string(56, 'a'));
  const std::string late = "late" + std::string(52, '-');
  EXPECT_EQ(producer.try_push(data_type, bytes_of(late)), push_result::full);
  consumer.release();
  EXPECT_EQ(producer.try_push(data_type, bytes_of(late)), push_result::ok);
  for (int i = 1; i < pushed; ++i) EXPECT_EQ(read_text(consumer), std::string(56, 'a' + i % 26));
  EXPECT_EQ(read_text(consumer), late);
}

TEST(SpscRing, BatchIsInvisibleUntilOneCommit) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr);
  spsc_consumer consumer(ring.region);
  for (const char* text : {"one", "two", "three"}) {
    claim c = producer.try_claim(data_type, std::strlen(text));
    ASSERT_TRUE(c);
    std::memcpy(c.payload.data(), text, std::strlen(text));
  }
  record_view view;
  EXPECT_FALSE(consumer.has_data());
  EXPECT_EQ(consumer.try_read(view), read_status::empty);
  producer.commit();
  EXPECT_EQ(read_text(consumer), "one");
  EXPECT_EQ(read_text(consumer), "two");
  EXPECT_EQ(read_text(consumer), "three");
  EXPECT_EQ(consumer.try_read(view), read_status::empty);
}

TEST(SpscRing, BatchAcrossTheWrapCommitsPaddingLast) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr);
  spsc_consumer consumer(ring.region);
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(producer.try_push(data_type, bytes_of(std::string(200, 'p'))), push_result::ok);
  consumer.drain([](const record_view&) {}, 10);
  ASSERT_TRUE(producer.try_claim(data_type, 200));  // padding first, then the record at 0
  ASSERT_TRUE(producer.try_claim(data_type, 10));
  EXPECT_FALSE(consumer.has_data());
  producer.commit();
  std::size_t n = consumer.drain([](const record_view& r) { EXPECT_EQ(r.type, data_type); }, 10);
  EXPECT_EQ(n, 2u);
}

TEST(SpscRing, RefusesARecordLargerThanAQuarterOfTheRing) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr, "tiny");
  EXPECT_EQ(producer.max_payload(), 248u);
  EXPECT_TRUE(producer.try_claim(data_type, 248));
  try {
    (void)producer.try_claim(data_type, 249);
    FAIL() << "expected invalid_input";
  } catch (const invalid_input& e) {
    EXPECT_THAT(e.what(), HasSubstr("ring tiny"));
    EXPECT_THAT(e.what(), HasSubstr("249"));
  }
}

// A header forged by a broken or hostile peer at position 0.
struct forged {
  std::uint32_t length;
  std::uint16_t type;
  const char* expected;
};

class SpscRingValidation : public ::testing::TestWithParam<forged> {};

TEST_P(SpscRingValidation, RefusesAForgedHeaderAndNamesTheProblem) {
  local_ring ring(1024);
  const record_header header{GetParam().length, GetParam().type, 0};
  std::memcpy(ring.region.data, &header, sizeof header);
  ring.region.control->tail.store(1016);  // claims nearly the whole ring is committed
  spsc_consumer consumer(ring.region, "victim");
  record_view view;
  EXPECT_EQ(consumer.try_read(view), read_status::corrupt);
  EXPECT_THAT(consumer.error(), HasSubstr("ring victim: record at position 0"));
  EXPECT_THAT(consumer.error(), HasSubstr(GetParam().expected));
  EXPECT_EQ(consumer.try_read(view), read_status::corrupt) << "corrupt is sticky";
  EXPECT_FALSE(consumer.has_data());
}

INSTANTIATE_TEST_SUITE_P(
    EveryCheck, SpscRingValidation,
    ::testing::Values(forged{4, 7, "shorter than the 8-byte header"},
                      forged{2000, 7, "runs past the end of the 1024-byte buffer"},
                      forged{1024, 7, "exceeds the 1016 bytes that may hold records there"},
                      forged{16, record_type::invalid, "type 0 (invalid)"},
                      forged{16, record_type::padding, "does not reach the end of the buffer"}));

TEST(SpscRing, ConsumerRefusesATailOutsideItsWindow) {
  for (std::uint64_t tail : {std::uint64_t{2048}, std::uint64_t{20}}) {
    local_ring ring(1024);
    ring.region.control->tail.store(tail);
    spsc_consumer consumer(ring.region, "victim");
    record_view view;
    EXPECT_EQ(consumer.try_read(view), read_status::corrupt);
    EXPECT_THAT(consumer.error(), HasSubstr("published tail " + std::to_string(tail)));
  }
}

TEST(SpscRing, ACommittedLengthOfZeroBelowTheTailIsRefused) {
  local_ring ring(1024);
  ring.region.control->tail.store(64);  // nothing was written there
  spsc_consumer consumer(ring.region, "victim");
  record_view view;
  EXPECT_EQ(consumer.try_read(view), read_status::corrupt);
  EXPECT_THAT(consumer.error(),
              HasSubstr("length 0 at offset 0 is shorter than the 8-byte header"));
}

TEST(SpscRing, ProducerRefusesAHeadOutsideItsWindow) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr, "p");
  while (producer.try_push(data_type, bytes_of(std::string(56, 'z'))) == push_result::ok) {
  }
  ring.region.control->head.store(1 << 20);  // beyond anything committed
  EXPECT_EQ(producer.try_push(data_type, bytes_of(std::string(56, 'x'))), push_result::corrupt);
  EXPECT_THAT(producer.error(), HasSubstr("head moved to 1048576"));
}

TEST(SpscRing, ProducerAttachRefusesInconsistentPositions) {
  local_ring ring(1024);
  ring.region.control->tail.store(4096);
  EXPECT_THROW(spsc_producer(ring.region, nullptr), weft::error);
  ring.region.control->tail.store(0);
  ring.region.control->capacity = 2048;
  EXPECT_THROW(spsc_producer(ring.region, nullptr), weft::error);
}

TEST(SpscRing, RestartedProducerNeverExposesItsPredecessorsUncommittedRecords) {
  local_ring ring(1024);
  spsc_consumer consumer(ring.region);
  {
    spsc_producer first(ring.region, nullptr);
    ASSERT_EQ(first.try_push(data_type, bytes_of("committed")), push_result::ok);
    claim torn = first.try_claim(data_type, 8);
    ASSERT_TRUE(torn);
    std::memcpy(torn.payload.data(), "TORNTORN", 8);
    ASSERT_TRUE(first.try_claim(data_type, 8));  // a second record of the dead batch
  }                                              // dies without commit
  EXPECT_EQ(reset_ring(ring.region), 1u);
  spsc_producer second(ring.region, nullptr);
  EXPECT_EQ(second.epoch(), 1);
  ASSERT_EQ(second.try_push(data_type, bytes_of("fresh")), push_result::ok);
  record_view view;
  ASSERT_EQ(consumer.try_read(view), read_status::record);
  EXPECT_EQ(text_of(view.payload), "committed");
  EXPECT_EQ(view.epoch, 0);
  ASSERT_EQ(consumer.try_read(view), read_status::record);
  EXPECT_EQ(text_of(view.payload), "fresh");
  EXPECT_EQ(view.epoch, 1);
  EXPECT_EQ(consumer.try_read(view), read_status::empty);
}

TEST(SpscRing, RestartedProducerFindsCommitsItsPredecessorDidNotPublish) {
  local_ring ring(1024);
  spsc_consumer consumer(ring.region);
  {
    spsc_producer first(ring.region, nullptr);
    for (const char* t : {"a", "b", "c"})
      ASSERT_EQ(first.try_push(data_type, bytes_of(t)), push_result::ok);
  }
  // As if it died after committing "b" and "c" but before publishing the tail.
  ring.region.control->tail.store(16);
  reset_ring(ring.region);
  spsc_producer second(ring.region, nullptr);
  ASSERT_EQ(second.try_push(data_type, bytes_of("d")), push_result::ok);
  for (const char* t : {"a", "b", "c", "d"}) EXPECT_EQ(read_text(consumer), t);
}

TEST(SpscRing, RestartedConsumerGetsUnreleasedRecordsAgain) {
  local_ring ring(1024);
  spsc_producer producer(ring.region, nullptr);
  for (const char* t : {"a", "b", "c"})
    ASSERT_EQ(producer.try_push(data_type, bytes_of(t)), push_result::ok);
  {
    spsc_consumer first(ring.region);
    EXPECT_EQ(read_text(first), "a");
    first.release();
    EXPECT_EQ(read_text(first), "b");  // read, never released: dies
  }
  spsc_consumer second(ring.region);
  EXPECT_EQ(read_text(second), "b");
  EXPECT_EQ(read_text(second), "c");
}

}  // namespace
}  // namespace weft::shm
