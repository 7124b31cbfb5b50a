// The single-threaded runner, including ports of the behaviours tested by the
// Python eventsourcing library's system runner tests.
#include "weft/es/single_threaded_runner.hpp"

#include <gtest/gtest.h>

#include "bank.hpp"
#include "memory_recorders.hpp"
#include "spy_recorder.hpp"

namespace loop {

// Commands | Results | Commands: a command is answered by a result, which
// completes the command.
struct CommandCreated {
  weft::uuid id;
  std::string text;
};
WEFT_EVENT(CommandCreated, "loop.CommandCreated", id, text);
struct CommandDone {
  std::string output;
  std::string error;
};
WEFT_EVENT(CommandDone, "loop.CommandDone", output, error);
struct ResultCreated {
  weft::uuid id;
  weft::uuid command_id;
  std::string output;
  std::string error;
};
WEFT_EVENT(ResultCreated, "loop.ResultCreated", id, command_id, output, error);

class Command : public weft::es::aggregate<Command, CommandCreated, CommandDone> {
 public:
  void apply(const CommandCreated& e) { text = e.text; }
  void apply(const CommandDone& e) {
    output = e.output;
    error = e.error;
    done = true;
  }
  std::string text, output, error;
  bool done = false;
};

class Result : public weft::es::aggregate<Result, ResultCreated> {
 public:
  void apply(const ResultCreated&) {}
};

class Commands : public weft::es::process_application {
 public:
  explicit Commands(weft::es::app_context context) : process_application(std::move(context)) {
    on<&Commands::result_created>();
  }
  weft::uuid create_command(std::string text) {
    const auto id = weft::uuid::random();
    auto command = Command::create(id, CommandCreated{id, std::move(text)});
    save(command);
    return id;
  }
  void result_created(const ResultCreated& e, weft::es::processing& processing) {
    auto command = get<Command>(e.command_id);
    command.trigger(CommandDone{e.output, e.error});
    processing.save(command);
  }
};

class Results : public weft::es::process_application {
 public:
  explicit Results(weft::es::app_context context) : process_application(std::move(context)) {
    on<&Results::command_created>();
  }
  // "Runs" a command: echo prints its argument, anything else is unknown.
  void command_created(const CommandCreated& e, weft::es::processing& processing) {
    std::string output, error;
    if (e.text.rfind("echo ", 0) == 0)
      output = e.text.substr(5) + "\n";
    else
      error = "No such command: '" + e.text + "'";
    const auto id = weft::uuid::name_based(e.id, "result");
    auto result = Result::create(id, ResultCreated{id, e.id, output, error});
    processing.save(result);
  }
};

}  // namespace loop

namespace weft::es {
namespace {

using bank::BankAccounts;
using bank::EmailProcess;
using testing::memory_recorders;

class Runner : public ::testing::Test {
 protected:
  memory_recorders recorders;

  static system_definition one_edge() {
    system_definition sys{{"BankAccounts", "EmailProcess"}};
    sys.bind<BankAccounts>("BankAccounts").bind<EmailProcess>("EmailProcess");
    return sys;
  }
  static void open_accounts(BankAccounts& accounts, int count) {
    for (int i = 0; i < count; ++i) accounts.open_account("Alice", "alice@example.com");
  }
};

TEST_F(Runner, StartsWithASingleApplication) {
  system_definition sys{{"BankAccounts"}};
  sys.bind<BankAccounts>("BankAccounts");
  single_threaded_runner runner(sys, recorders.factory());
  runner.start();
  auto& accounts = runner.get<BankAccounts>("BankAccounts");
  EXPECT_EQ(accounts.name(), "BankAccounts");
}

TEST_F(Runner, StartingTwiceIsAnError) {
  single_threaded_runner runner(one_edge(), recorders.factory());
  runner.start();
  EXPECT_THROW(runner.start(), weft::error);
  runner.stop();
  EXPECT_THROW(runner.start(), weft::error);
}

TEST_F(Runner, GetNamesUnknownApplicationsAndWrongTypes) {
  single_threaded_runner runner(one_edge(), recorders.factory());
  EXPECT_THROW((void)runner.app("Nope"), invalid_input);
  EXPECT_THROW((void)runner.get<EmailProcess>("BankAccounts"), weft::error);
}

TEST_F(Runner, SystemWithOneEdge) {
  single_threaded_runner runner(one_edge(), recorders.factory());
  runner.start();
  auto& accounts = runner.get<BankAccounts>("BankAccounts");
  auto& emails = runner.get<EmailProcess>("EmailProcess");
  EXPECT_EQ(emails.log()["1,5"].items.size(), 0u);
  open_accounts(accounts, 10);
  EXPECT_EQ(emails.log()["1,10"].items.size(), 10u);
}

TEST_F(Runner, SystemWithTwoEdges) {
  system_definition sys{{"BankAccounts", "EmailProcess"}, {"BankAccounts", "EmailProcess2"}};
  sys.bind<BankAccounts>("BankAccounts")
      .bind<EmailProcess>("EmailProcess")
      .bind<EmailProcess>("EmailProcess2");
  single_threaded_runner runner(sys, recorders.factory());
  runner.start();
  auto& emails1 = runner.get<EmailProcess>("EmailProcess");
  auto& emails2 = runner.get<EmailProcess>("EmailProcess2");
  EXPECT_EQ(emails1.log()["1,5"].items.size(), 0u);
  EXPECT_EQ(emails2.log()["1,5"].items.size(), 0u);
  open_accounts(runner.get<BankAccounts>("BankAccounts"), 10);
  EXPECT_EQ(emails1.log()["1,10"].items.size(), 10u);
  EXPECT_EQ(emails2.log()["1,10"].items.size(), 10u);
}

TEST_F(Runner, SystemWithAProcessingLoop) {
  system_definition sys{{"Commands", "Results", "Commands"}};
  sys.bind<loop::Commands>("Commands").bind<loop::Results>("Results");
  single_threaded_runner runner(sys, recorders.factory());
  runner.start();
  auto& commands = runner.get<loop::Commands>("Commands");
  const auto hello = commands.create_command("echo Hello World");
  const auto unknown = commands.create_command("notacommand");
  const auto first = commands.get<loop::Command>(hello);
  EXPECT_TRUE(first.done);
  EXPECT_EQ(first.output, "Hello World\n");
  EXPECT_EQ(first.error, "");
  const auto second = commands.get<loop::Command>(unknown);
  EXPECT_TRUE(second.done);
  EXPECT_EQ(second.output, "");
  EXPECT_NE(second.error.find("'notacommand'"), std::string::npos) << second.error;
}

TEST_F(Runner, CatchesUpWithNotificationsRecordedBeforeStart) {
  single_threaded_runner runner(one_edge(), recorders.factory());
  auto& accounts = runner.get<BankAccounts>("BankAccounts");
  accounts.open_account("Alice", "alice@example.com");
  EXPECT_EQ(recorders["EmailProcess"]->max_tracking_id("BankAccounts"), 0u);
  runner.start();
  // Better than the Python runners: start catches up, without waiting for a prompt.
  EXPECT_EQ(recorders["EmailProcess"]->max_tracking_id("BankAccounts"), 1u);
  accounts.open_account("Alice", "alice@example.com");
  EXPECT_EQ(recorders["EmailProcess"]->max_tracking_id("BankAccounts"), 2u);
}

TEST_F(Runner, FiltersNotificationsByTopic) {
  class DepositEmails : public EmailProcess {
   public:
    explicit DepositEmails(app_context context) : EmailProcess(std::move(context)) {
      set_follow_topics({"bank.Deposited"});
    }
  };
  system_definition sys{{"BankAccounts", "EmailProcess"}};
  sys.bind<BankAccounts>("BankAccounts").bind<DepositEmails>("EmailProcess");
  single_threaded_runner runner(sys, recorders.factory());
  auto& accounts = runner.get<BankAccounts>("BankAccounts");
  accounts.open_account("Alice", "alice@example.com");
  runner.start();
  accounts.open_account("Alice", "alice@example.com");
  EXPECT_EQ(runner.get<EmailProcess>("EmailProcess").log()["1,10"].items.size(), 0u);
}

TEST_F(Runner, PromptsFollowersInDeclarationOrder) {
  static std::vector<std::string> calls;
  calls.clear();
  class NameLogger : public process_application {
   public:
    explicit NameLogger(app_context context) : process_application(std::move(context)) {}

   protected:
    void policy(const event_view&, processing&) override { calls.push_back(name()); }
  };
  system_definition sys{{"BankAccounts", "Logger3"},
                        {"BankAccounts", "Logger4"},
                        {"BankAccounts", "Logger1"},
                        {"BankAccounts", "Logger5"},
                        {"BankAccounts", "Logger2"}};
  sys.bind<BankAccounts>("BankAccounts");
  for (const char* name : {"Logger1", "Logger2", "Logger3", "Logger4", "Logger5"})
    sys.bind<NameLogger>(name);
  single_threaded_runner runner(sys, recorders.factory());
  runner.start();
  runner.get<BankAccounts>("BankAccounts").open_account("Alice", "alice@example.com");
  EXPECT_EQ(calls,
            (std::vector<std::string>{"Logger3", "Logger4", "Logger1", "Logger5", "Logger2"}));
}

TEST_F(Runner, ALeaderOnlyPromptsWhenEventsWereRecorded) {
  // Accounts | Quiet | Emails2: Quiet records nothing for accounts opened, so
  // Emails2 is never prompted to read Quiet's log; deposits make Quiet record.
  class Quiet : public process_application {
   public:
    explicit Quiet(app_context context) : process_application(std::move(context)) {
      on<bank::Deposited>([this](const bank::Deposited&, processing& processing) {
        auto account = bank::Account::open("Quiet", "quiet@example.com");
        processing.save(account);
        (void)this;
      });
    }
  };
  auto quiet_spy = std::make_shared<testing::spy_recorder>(recorders["Quiet"]);
  system_definition sys{{"BankAccounts", "Quiet", "Emails2"}};
  sys.bind<BankAccounts>("BankAccounts").bind<Quiet>("Quiet").bind<EmailProcess>("Emails2");
  single_threaded_runner runner(sys, [&](const std::string& name) -> std::shared_ptr<recorder> {
    if (name == "Quiet") return quiet_spy;
    return recorders[name];
  });
  runner.start();
  auto& accounts = runner.get<BankAccounts>("BankAccounts");
  const auto id = accounts.open_account("Alice", "alice@example.com");
  accounts.open_account("Bob", "bob@example.com");
  EXPECT_EQ(recorders["Quiet"]->max_tracking_id("BankAccounts"), 2u);
  EXPECT_EQ(quiet_spy->notification_selects, 0);
  accounts.deposit(id, 5);
  EXPECT_EQ(quiet_spy->notification_selects, 1);
  EXPECT_EQ(recorders["Emails2"]->max_notification_id(), 1u);
}

// A follower whose policy refuses one customer: errors from policies.
class Fussy : public process_application {
 public:
  explicit Fussy(app_context context) : process_application(std::move(context)) {
    on<bank::AccountOpened>([](const bank::AccountOpened& e, processing&) {
      if (e.full_name == "Mallory") throw weft::invalid_input("no Mallory");
    });
  }
};

TEST_F(Runner, PolicyErrorsReachTheCallerAndTheRunnerGoesOn) {
  system_definition sys{{"BankAccounts", "Fussy"}};
  sys.bind<BankAccounts>("BankAccounts").bind<Fussy>("Fussy");
  single_threaded_runner runner(sys, recorders.factory());
  runner.start();
  auto& accounts = runner.get<BankAccounts>("BankAccounts");
  accounts.open_account("Alice", "a@x");
  EXPECT_THROW(accounts.open_account("Mallory", "m@x"), weft::invalid_input);
  // Mallory's account is recorded (the leader's transaction was done); the
  // follower stays before it, and is prompted again by the next event.
  EXPECT_EQ(recorders["BankAccounts"]->max_notification_id(), 2u);
  EXPECT_EQ(recorders["Fussy"]->max_tracking_id("BankAccounts"), 1u);
  EXPECT_THROW(accounts.open_account("Carol", "c@x"), weft::invalid_input);
}

TEST_F(Runner, DeferredPromptsCoalesceIntoOneTransactionPerFollower) {
  auto emails_spy = std::make_shared<testing::spy_recorder>(recorders["EmailProcess"]);
  single_threaded_runner runner(one_edge(),
                                [&](const std::string& name) -> std::shared_ptr<recorder> {
                                  if (name == "EmailProcess") return emails_spy;
                                  return recorders[name];
                                });
  runner.start();
  auto& accounts = runner.get<BankAccounts>("BankAccounts");
  auto burst = runner.defer_prompts();
  open_accounts(accounts, 7);
  // The leader recorded one transaction per command; the follower waits.
  EXPECT_EQ(recorders["BankAccounts"]->max_notification_id(), 7u);
  EXPECT_EQ(emails_spy->notification_selects, 0);
  EXPECT_EQ(recorders["EmailProcess"]->max_tracking_id("BankAccounts"), 0u);
  burst.end();
  EXPECT_EQ(emails_spy->inserts, 1);  // all seven in one transaction
  EXPECT_EQ(recorders["EmailProcess"]->max_notification_id(), 7u);
  EXPECT_EQ(recorders["EmailProcess"]->max_tracking_id("BankAccounts"), 7u);
  // Prompting is immediate again.
  open_accounts(accounts, 1);
  EXPECT_EQ(recorders["EmailProcess"]->max_tracking_id("BankAccounts"), 8u);
}

TEST_F(Runner, DeferredPromptsRunEveryNRecordingsDownTheWholePipe) {
  system_definition sys{{"Commands", "Results", "Commands"}};
  sys.bind<loop::Commands>("Commands").bind<loop::Results>("Results");
  single_threaded_runner runner(sys, recorders.factory());
  runner.start();
  auto& commands = runner.get<loop::Commands>("Commands");
  {
    auto burst = runner.defer_prompts(3);
    std::vector<uuid> ids;
    for (int i = 0; i < 2; ++i) ids.push_back(commands.create_command("echo hi"));
    EXPECT_EQ(recorders["Results"]->max_tracking_id("Commands"), 0u);
    ids.push_back(commands.create_command("echo hi"));
    // The third recording ran the prompts: Results answered all three, and
    // Commands completed them (ids 4-6, which Results read too): what
    // followers record flows on at once.
    EXPECT_EQ(recorders["Results"]->max_tracking_id("Commands"), 6u);
    EXPECT_EQ(recorders["Commands"]->max_tracking_id("Results"), 3u);
    for (const auto& id : ids) EXPECT_TRUE(commands.get<loop::Command>(id).done);
    const auto late = commands.create_command("echo late");
    EXPECT_FALSE(commands.get<loop::Command>(late).done);
    runner.flush();
    EXPECT_TRUE(commands.get<loop::Command>(late).done);
  }
  EXPECT_EQ(recorders["Results"]->max_tracking_id("Commands"), 8u);
}

TEST_F(Runner, DeferredPromptsKeepDeclarationOrder) {
  static std::vector<std::string> calls;
  calls.clear();
  class NameLogger : public process_application {
   public:
    explicit NameLogger(app_context context) : process_application(std::move(context)) {}

   protected:
    void policy(const event_view&, processing&) override { calls.push_back(name()); }
  };
  system_definition sys{{"BankAccounts", "Logger2"}, {"BankAccounts", "Logger1"}};
  sys.bind<BankAccounts>("BankAccounts").bind<NameLogger>("Logger1").bind<NameLogger>("Logger2");
  single_threaded_runner runner(sys, recorders.factory());
  runner.start();
  {
    auto burst = runner.defer_prompts();
    open_accounts(runner.get<BankAccounts>("BankAccounts"), 2);
    EXPECT_TRUE(calls.empty());
  }
  EXPECT_EQ(calls, (std::vector<std::string>{"Logger2", "Logger2", "Logger1", "Logger1"}));
}

TEST_F(Runner, DeferredPolicyErrorsReachTheCaller) {
  system_definition sys{{"BankAccounts", "Fussy"}};
  sys.bind<BankAccounts>("BankAccounts").bind<Fussy>("Fussy");
  single_threaded_runner runner(sys, recorders.factory());
  runner.start();
  auto& accounts = runner.get<BankAccounts>("BankAccounts");
  {  // from the recording call that reached `every`
    auto burst = runner.defer_prompts(2);
    accounts.open_account("Mallory", "m@x");
    EXPECT_THROW(accounts.open_account("Alice", "a@x"), weft::invalid_input);
  }
  EXPECT_EQ(recorders["Fussy"]->max_tracking_id("BankAccounts"), 0u);
  {  // from end()
    auto burst = runner.defer_prompts();
    accounts.open_account("Bob", "b@x");
    EXPECT_THROW(burst.end(), weft::invalid_input);
  }
  {  // from flush(), when the scope's destructor met it
    auto burst = runner.defer_prompts();
    accounts.open_account("Carol", "c@x");
  }
  EXPECT_THROW(runner.flush(), weft::invalid_input);
  EXPECT_EQ(recorders["BankAccounts"]->max_notification_id(), 4u);
  EXPECT_EQ(recorders["Fussy"]->max_tracking_id("BankAccounts"), 0u);
}

TEST_F(Runner, MakesApplicationsOfRegisteredTypesWithTheirOptions) {
  application_registry registry;
  registry.add<BankAccounts>("bank.BankAccounts");
  registry.add<EmailProcess>("bank.EmailProcess");
  system_definition sys{{"Accounts", "Emails"}};
  sys.use_type("Accounts", "bank.BankAccounts")
      .use_type("Emails", "bank.EmailProcess")
      .configure("Accounts", {{"snapshot_every", "2"}});
  single_threaded_runner runner(sys, recorders.factory(), registry);
  runner.start();
  auto& accounts = runner.get<BankAccounts>("Accounts");
  const auto id = accounts.open_account("Alice", "a@x");
  accounts.deposit(id, 1);
  ASSERT_TRUE(recorders.has("Accounts.snapshots"));
  EXPECT_EQ(recorders["Accounts.snapshots"]->select_events(id, {}).size(), 1u);
  EXPECT_EQ(recorders["Emails"]->max_notification_id(), 1u);
}

TEST_F(Runner, ANewRunnerOnTheSameRecordersContinues) {
  {
    single_threaded_runner runner(one_edge(), recorders.factory());
    runner.start();
    open_accounts(runner.get<BankAccounts>("BankAccounts"), 3);
    runner.stop();
  }
  {
    // Record while no runner runs: a leader alone, no prompts.
    system_definition alone{{"BankAccounts"}};
    alone.bind<BankAccounts>("BankAccounts");
    single_threaded_runner runner(alone, recorders.factory());
    open_accounts(runner.get<BankAccounts>("BankAccounts"), 2);
  }
  single_threaded_runner runner(one_edge(), recorders.factory());
  runner.start();
  EXPECT_EQ(recorders["EmailProcess"]->max_tracking_id("BankAccounts"), 5u);
  EXPECT_EQ(recorders["EmailProcess"]->max_notification_id(), 5u);
}

}  // namespace
}  // namespace weft::es
