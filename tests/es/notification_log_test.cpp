#include "weft/es/notification_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "bank.hpp"
#include "weft/core/error.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::es {
namespace {

class NotificationLog : public ::testing::Test {
 protected:
  void record(int count) {
    for (int i = 0; i < count; ++i) {
      const auto id = uuid::random();
      const auto event = to_stored(bank::AccountOpened{id, "A", "a@x"}, id, 1);
      recorder_->insert_events(std::span(&event, 1));
    }
  }
  std::unique_ptr<recorder> recorder_ = store::make_memory_recorder();
};

std::vector<std::uint64_t> ids_of(const std::vector<notification>& items) {
  std::vector<std::uint64_t> out;
  for (const auto& item : items) out.push_back(item.id);
  return out;
}

TEST_F(NotificationLog, SectionsHoldTheirIdsAndNameTheNext) {
  record(13);
  notification_log log(*recorder_, 5);
  const auto first = log["1,5"];
  EXPECT_EQ(first.id, "1,5");
  EXPECT_EQ(ids_of(first.items), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(first.next_id, "6,10");
  const auto last = log["11,15"];
  EXPECT_EQ(last.id, "11,13");
  EXPECT_EQ(last.items.size(), 3u);
  EXPECT_FALSE(last.next_id.has_value());
}

TEST_F(NotificationLog, ASectionIsAtMostTheSectionSize) {
  record(30);
  notification_log log(*recorder_, 10);
  const auto big = log["1,100"];
  EXPECT_EQ(big.id, "1,10");
  EXPECT_EQ(big.next_id, "11,20");
}

TEST_F(NotificationLog, AnEmptyLogHasAnEmptyFirstSection) {
  notification_log log(*recorder_, 5);
  const auto first = log["1,5"];
  EXPECT_TRUE(first.items.empty());
  EXPECT_FALSE(first.next_id.has_value());
}

TEST_F(NotificationLog, MalformedSectionIdsAreNamed) {
  notification_log log(*recorder_, 5);
  for (const char* bad : {"", "1", "a,b", "0,5", "5,1", "1,5x", "-1,3"}) {
    try {
      (void)log[bad];
      FAIL() << "accepted '" << bad << "'";
    } catch (const invalid_input& e) {
      EXPECT_NE(std::string(e.what()).find("'" + std::string(bad) + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST_F(NotificationLog, TheReaderReadsEverythingFromAPosition) {
  record(23);
  notification_log_reader reader(notification_log(*recorder_, 5));
  EXPECT_EQ(reader.read(1).size(), 23u);
  const auto tail = reader.read(20);
  EXPECT_EQ(ids_of(tail), (std::vector<std::uint64_t>{20, 21, 22, 23}));
}

// A recorder whose log has gaps, as a database whose transactions commit out
// of order leaves them: the memory and SQLite recorders are gapless, so this
// is the only way to reach the reader's gap handling.
class gappy_recorder final : public recorder {
 public:
  explicit gappy_recorder(std::vector<std::uint64_t> ids) : ids_(std::move(ids)) {}
  std::vector<std::uint64_t> insert_events(std::span<const stored_event>,
                                           std::span<const tracking>) override {
    return {};
  }
  std::vector<stored_event> select_events(const uuid&, const event_query&) override { return {}; }
  std::vector<notification> select_notifications(const notification_query& query) override {
    std::vector<notification> out;
    for (auto id : ids_)
      if (id >= query.start && (!query.stop || id <= *query.stop) && out.size() < query.limit)
        out.push_back({id, {}});
    return out;
  }
  std::uint64_t max_notification_id() override { return ids_.empty() ? 0 : ids_.back(); }
  std::uint64_t max_tracking_id(std::string_view) override { return 0; }
  bool has_tracking_id(std::string_view, std::uint64_t) override { return false; }

 private:
  std::vector<std::uint64_t> ids_;
};

TEST(NotificationLogGaps, TheReaderFollowsSectionsAcrossGaps) {
  // 4 and 5 missing inside a section; 9..16 a whole missing section.
  gappy_recorder source({1, 2, 3, 6, 7, 8, 17, 18});
  notification_log log(source, 5);
  const auto first = log["1,5"];
  EXPECT_EQ(first.id, "1,3");
  EXPECT_EQ(first.next_id, "6,10");
  notification_log_reader reader(log);
  EXPECT_EQ(ids_of(reader.read(1)), (std::vector<std::uint64_t>{1, 2, 3, 6, 7, 8, 17, 18}));
}

}  // namespace
}  // namespace weft::es
