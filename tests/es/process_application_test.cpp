#include "weft/es/process_application.hpp"

#include <gtest/gtest.h>

#include "bank.hpp"
#include "spy_recorder.hpp"
#include "weft/store/memory_recorder.hpp"

namespace tally {

struct Counted {
  std::int64_t by = 1;
};
WEFT_EVENT(Counted, "tally.Counted", by);

class Tally : public weft::es::aggregate<Tally, Counted> {
 public:
  void apply(const Counted& e) { count += e.by; }
  std::int64_t count = 0;
};

/// Counts accounts opened in one aggregate, through the generic policy: the
/// same aggregate is read and saved for every event of a batch.
class Tallies : public weft::es::process_application {
 public:
  static inline const weft::uuid tally_id = weft::uuid::name_based(weft::uuid::nil(), "tally");

  explicit Tallies(weft::es::app_context context) : process_application(std::move(context)) {}

  int policy_calls = 0;
  bool fail_next = false;

 protected:
  void policy(const weft::es::event_view& event, weft::es::processing& processing) override {
    ++policy_calls;
    if (fail_next) throw weft::error("policy failed on purpose");
    if (!event.is<bank::AccountOpened>()) return;
    const auto opened = event.as<bank::AccountOpened>();
    EXPECT_FALSE(opened.full_name.empty());
    auto tally = find<Tally>(tally_id);
    if (!tally)
      tally = Tally::create(tally_id, Counted{1});
    else
      tally->trigger(Counted{1});
    processing.save(*tally);
  }
};

class DepositsOnly : public Tallies {
 public:
  explicit DepositsOnly(weft::es::app_context context) : Tallies(std::move(context)) {
    set_follow_topics({"bank.Deposited"});
  }
};

}  // namespace tally

namespace runs {

// Topics of one length that differ in one byte, at the end or inside, and a
// short one: a run of one topic must end at the first notification of another.
struct Alpha {
  std::int64_t n = 0;
};
WEFT_EVENT(Alpha, "runs.Same_Length_Topic_A", n);
struct Bravo {
  std::int64_t n = 0;
};
WEFT_EVENT(Bravo, "runs.Same_Length_Topic_B", n);
struct Charlie {
  std::int64_t n = 0;
};
WEFT_EVENT(Charlie, "runs.Same_Lxngth_Topic_A", n);
struct Delta {
  std::int64_t n = 0;
};
WEFT_EVENT(Delta, "r.D", n);

/// Writes down which handler (or the policy) got each event, in order.
class Journal : public weft::es::process_application {
 public:
  explicit Journal(weft::es::app_context context) : process_application(std::move(context)) {
    on<&Journal::alpha>();
    on<&Journal::bravo>();
    on<&Journal::delta>();
  }
  void alpha(const Alpha& e, weft::es::processing&) { seen.push_back("A" + std::to_string(e.n)); }
  void bravo(const Bravo& e, weft::es::processing&) { seen.push_back("B" + std::to_string(e.n)); }
  void delta(const Delta& e, weft::es::processing&) { seen.push_back("D" + std::to_string(e.n)); }
  std::vector<std::string> seen;

 protected:
  void policy(const weft::es::event_view& event, weft::es::processing&) override {
    seen.push_back("policy:" + std::string(event.topic()));
  }
};

/// The same, following Alpha and Delta only.
class AlphaDeltaJournal : public Journal {
 public:
  explicit AlphaDeltaJournal(weft::es::app_context context) : Journal(std::move(context)) {
    set_follow_topics({"runs.Same_Length_Topic_A", "r.D"});
  }
};

}  // namespace runs

namespace weft::es {
namespace {

using bank::BankAccounts;
using bank::EmailProcess;
using tally::Tallies;
using testing::spy_recorder;

class ProcessApplications : public ::testing::Test {
 protected:
  std::shared_ptr<recorder> accounts_recorder = store::make_memory_recorder();
  std::shared_ptr<recorder> process_recorder = store::make_memory_recorder();
  std::shared_ptr<spy_recorder> spy = std::make_shared<spy_recorder>(process_recorder);
  BankAccounts accounts{{"BankAccounts", accounts_recorder, nullptr, {}}};

  app_context context(options opts = {}) { return {"Process", spy, nullptr, std::move(opts)}; }

  std::vector<notification> open_accounts(int count) {
    for (int i = 0; i < count; ++i) accounts.open_account("Alice", "alice@example.com");
    notification_query all;
    all.limit = 1000;
    return accounts_recorder->select_notifications(all);
  }
};

TEST_F(ProcessApplications, RecordNewEventsWithTheTrackingPositionInOneTransaction) {
  EmailProcess emails(context());
  const auto batch = open_accounts(3);
  const auto outcome = emails.process("BankAccounts", batch);
  EXPECT_EQ(outcome.processed, 3u);
  EXPECT_EQ(outcome.recorded, 3u);
  EXPECT_EQ(outcome.position, 3u);
  EXPECT_EQ(spy->inserts, 1);
  EXPECT_EQ(process_recorder->max_tracking_id("BankAccounts"), 3u);
  EXPECT_EQ(process_recorder->max_notification_id(), 3u);
  const auto email_id = uuid::name_based(batch[1].event.originator_id, "welcome email");
  EXPECT_EQ(emails.get<bank::EmailNotification>(email_id).to, "alice@example.com");
}

TEST_F(ProcessApplications, SkipNotificationsTrackedAlready) {
  EmailProcess emails(context());
  const auto batch = open_accounts(3);
  emails.process("BankAccounts", std::span(batch).first(2));
  const auto again = emails.process("BankAccounts", batch);
  EXPECT_EQ(again.skipped, 2u);
  EXPECT_EQ(again.processed, 1u);
  EXPECT_EQ(process_recorder->max_notification_id(), 3u);
  const auto nothing = emails.process("BankAccounts", batch);
  EXPECT_EQ(nothing.processed, 0u);
  EXPECT_EQ(nothing.skipped, 3u);
  EXPECT_EQ(spy->inserts, 2);
}

TEST_F(ProcessApplications, SkipWhatAnotherWriterTrackedFirst) {
  EmailProcess first(context());
  EmailProcess second(context());
  const auto batch = open_accounts(4);
  EXPECT_EQ(second.position("BankAccounts"), 0u);  // second now believes nothing is done
  first.process("BankAccounts", std::span(batch).first(3));
  const auto outcome = second.process("BankAccounts", batch);
  // Its transaction for 1..4 is refused on the tracking record; it learns the
  // position (3) and processes only 4.
  EXPECT_EQ(outcome.position, 4u);
  EXPECT_EQ(outcome.processed, 1u);
  EXPECT_EQ(outcome.skipped, 3u);
  EXPECT_EQ(process_recorder->max_notification_id(), 4u);
}

TEST_F(ProcessApplications, ProcessBatchSizeNotificationsPerTransaction) {
  EmailProcess emails(context({{"batch_size", "2"}}));
  const auto batch = open_accounts(5);
  const auto outcome = emails.process("BankAccounts", batch);
  EXPECT_EQ(outcome.processed, 5u);
  EXPECT_EQ(spy->inserts, 3);
  EXPECT_EQ(emails.position("BankAccounts"), 5u);
}

TEST_F(ProcessApplications, SeeAggregatesSavedEarlierInTheSameBatch) {
  Tallies tallies(context());
  const auto batch = open_accounts(4);
  tallies.process("BankAccounts", batch);
  EXPECT_EQ(spy->inserts, 1);
  const auto tally = tallies.get<tally::Tally>(Tallies::tally_id);
  EXPECT_EQ(tally.count, 4);
  EXPECT_EQ(tally.version(), 4u);
}

TEST_F(ProcessApplications, FollowOnlyTheirTopicsButTrackEverything) {
  tally::DepositsOnly deposits(context());
  const auto batch = open_accounts(2);
  accounts.deposit(batch[0].event.originator_id, 5);
  const auto outcome = deposits.pull("BankAccounts", *accounts_recorder);
  EXPECT_EQ(deposits.policy_calls, 1);
  EXPECT_EQ(outcome.processed, 1u);
  EXPECT_EQ(deposits.position("BankAccounts"), 3u);
}

TEST_F(ProcessApplications, TrackThroughWhatTheCallerSaysItHasSeen) {
  EmailProcess emails(context());
  const auto batch = open_accounts(3);
  emails.process("BankAccounts", std::span(batch).first(1), 3);
  EXPECT_EQ(emails.position("BankAccounts"), 3u);
}

TEST_F(ProcessApplications, RefuseNotificationsOutOfOrder) {
  EmailProcess emails(context());
  auto batch = open_accounts(3);
  std::swap(batch[1], batch[2]);
  EXPECT_THROW(emails.process("BankAccounts", batch), invalid_input);
  EXPECT_EQ(process_recorder->max_notification_id(), 0u);
}

TEST_F(ProcessApplications, PolicyErrorsPropagateAndRecordNothing) {
  Tallies tallies(context());
  const auto batch = open_accounts(2);
  tallies.fail_next = true;
  EXPECT_THROW(tallies.process("BankAccounts", batch), weft::error);
  EXPECT_EQ(process_recorder->max_notification_id(), 0u);
  EXPECT_EQ(tallies.position("BankAccounts"), 0u);
  EXPECT_FALSE(tallies.in_batch());
  tallies.fail_next = false;
  EXPECT_EQ(tallies.process("BankAccounts", batch).processed, 2u);
}

TEST_F(ProcessApplications, AStaleAggregateInAPolicyIsAConcurrencyErrorNotASkip) {
  Tallies tallies(context({{"cache", "unbounded"}}));
  Tallies other(context());
  const auto batch = open_accounts(2);
  tallies.process("BankAccounts", std::span(batch).first(1));
  // Another writer changes the tally without tracking anything.
  auto tally = other.get<tally::Tally>(Tallies::tally_id);
  tally.trigger(tally::Counted{10});
  other.save(tally);
  EXPECT_THROW(tallies.process("BankAccounts", batch), concurrency_error);
  EXPECT_EQ(tallies.position("BankAccounts"), 1u);
  // The stale cache entry was evicted: processing again succeeds.
  tallies.process("BankAccounts", batch);
  EXPECT_EQ(tallies.get<tally::Tally>(Tallies::tally_id).count, 12);
}

TEST_F(ProcessApplications, PullFromTheLeadersRecorderUpToAnId) {
  EmailProcess emails(context({{"batch_size", "2"}}));
  open_accounts(5);
  const auto first = emails.pull("BankAccounts", *accounts_recorder, 3);
  EXPECT_EQ(first.processed, 3u);
  EXPECT_EQ(first.position, 3u);
  const auto rest = emails.pull("BankAccounts", *accounts_recorder);
  EXPECT_EQ(rest.processed, 2u);
  EXPECT_EQ(rest.position, 5u);
  EXPECT_EQ(emails.pull("BankAccounts", accounts.log()).processed, 0u);
}

TEST_F(ProcessApplications, KeepPositionsPerUpstream) {
  tally::DepositsOnly emails(context());  // records nothing for accounts opened
  const auto batch = open_accounts(3);
  emails.process("A", batch);
  emails.process("B", std::span(batch).first(1));
  EXPECT_EQ(process_recorder->max_tracking_id("A"), 3u);
  EXPECT_EQ(process_recorder->max_tracking_id("B"), 1u);
}

// Notifications 1.. of the given events, in order.
template <class... E>
std::vector<notification> notifications_of(const E&... events) {
  std::vector<notification> out;
  (out.push_back({out.size() + 1, to_stored(events, uuid::random(), 1)}), ...);
  return out;
}

TEST_F(ProcessApplications, GiveEachEventOfMixedRunsToTheHandlerOfItsTopic) {
  runs::Journal journal(context());
  const auto batch = notifications_of(
      runs::Alpha{1}, runs::Alpha{2}, runs::Bravo{3}, runs::Bravo{4}, runs::Alpha{5},
      runs::Charlie{6}, runs::Alpha{7}, runs::Delta{8}, runs::Delta{9}, runs::Bravo{10});
  const auto outcome = journal.process("Upstream", batch);
  EXPECT_EQ(journal.seen,
            (std::vector<std::string>{"A1", "A2", "B3", "B4", "A5",
                                      "policy:runs.Same_Lxngth_Topic_A", "A7", "D8", "D9", "B10"}));
  EXPECT_EQ(outcome.processed, 10u);
  EXPECT_EQ(journal.position("Upstream"), 10u);
}

TEST_F(ProcessApplications, FollowTopicsPerRunOfMixedTopics) {
  runs::AlphaDeltaJournal journal(context());
  const auto batch =
      notifications_of(runs::Alpha{1}, runs::Bravo{2}, runs::Bravo{3}, runs::Alpha{4},
                       runs::Charlie{5}, runs::Delta{6}, runs::Alpha{7});
  const auto outcome = journal.process("Upstream", batch);
  EXPECT_EQ(journal.seen, (std::vector<std::string>{"A1", "A4", "D6", "A7"}));
  EXPECT_EQ(outcome.processed, 4u);
  EXPECT_EQ(journal.position("Upstream"), 7u) << "unfollowed topics are tracked too";
}

}  // namespace
}  // namespace weft::es
