#include "weft/es/system_definition.hpp"

#include <gtest/gtest.h>

#include "bank.hpp"

namespace weft::es {
namespace {

using names = std::vector<std::string>;

std::string message_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const invalid_input& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected invalid_input";
  return {};
}

TEST(SystemDefinition, PipesDefineLeadersFollowersAndSingles) {
  system_definition shop{
      {"Orders", "Reservations", "Orders"}, {"Orders", "Payments", "Orders"}, {"Audit"}};
  EXPECT_EQ(shop.apps(), (names{"Orders", "Reservations", "Payments", "Audit"}));
  EXPECT_EQ(shop.leaders(), (names{"Orders", "Reservations", "Payments"}));
  EXPECT_EQ(shop.followers(), (names{"Orders", "Reservations", "Payments"}));
  EXPECT_EQ(shop.singles(), (names{"Audit"}));
  EXPECT_EQ(shop.followers_of("Orders"), (names{"Reservations", "Payments"}));
  EXPECT_EQ(shop.leaders_of("Orders"), (names{"Reservations", "Payments"}));
  EXPECT_EQ(shop.leaders_of("Payments"), (names{"Orders"}));
  EXPECT_TRUE(shop.has_cycles());
}

TEST(SystemDefinition, ThePipeBuilderEqualsTheListForm) {
  system_definition built{pipe("A") | "B" | "C", pipe("A") | "D"};
  system_definition listed{{"A", "B", "C"}, {"A", "D"}};
  EXPECT_EQ(built.apps(), listed.apps());
  EXPECT_EQ(built.edges(), listed.edges());
  EXPECT_FALSE(built.has_cycles());
}

TEST(SystemDefinition, DuplicateEdgesCountOnce) {
  system_definition twice{{"A", "B"}, {"A", "B", "A"}, {"B", "A"}};
  EXPECT_EQ(twice.edges(), (std::vector<edge>{{"A", "B"}, {"B", "A"}}));
  EXPECT_EQ(twice.followers_of("A"), (names{"B"}));
}

TEST(SystemDefinition, SelfFollowIsAllowed) {
  system_definition self{{"A", "A"}};
  EXPECT_EQ(self.leaders_of("A"), (names{"A"}));
  EXPECT_EQ(self.followers_of("A"), (names{"A"}));
  EXPECT_TRUE(self.singles().empty());
  EXPECT_TRUE(self.has_cycles());
}

TEST(SystemDefinition, TopologicalOrderPutsLeadersFirst) {
  system_definition chain{{"C", "D"}, {"A", "B", "C"}};
  EXPECT_EQ(chain.topological_order(), (names{"A", "B", "C", "D"}));
  system_definition loop{{"X", "Y", "X"}, {"W", "X"}};
  EXPECT_EQ(loop.topological_order(), (names{"W", "X", "Y"}));
}

TEST(SystemDefinition, UnknownNamesAreErrorsNamingThem) {
  system_definition shop{{"Orders", "Payments"}};
  EXPECT_NE(message_of([&] { (void)shop.followers_of("Nope"); }).find("'Nope'"), std::string::npos);
  EXPECT_NE(message_of([&] { (void)shop.leaders_of("Nope"); }).find("'Nope'"), std::string::npos);
  EXPECT_NE(message_of([&] { shop.bind<bank::BankAccounts>("Nope"); }).find("'Nope'"),
            std::string::npos);
}

TEST(SystemDefinition, AFollowerThatIsNotAProcessApplicationIsAnErrorNamingIt) {
  system_definition wrong{{"Emails", "Accounts"}};
  wrong.bind<bank::EmailProcess>("Emails").bind<bank::BankAccounts>("Accounts");
  const auto message = message_of([&] { wrong.validate(); });
  EXPECT_NE(message.find("'Accounts'"), std::string::npos) << message;
  EXPECT_NE(message.find("not a process application"), std::string::npos) << message;
}

TEST(SystemDefinition, AnApplicationWithoutATypeIsAnErrorNamingIt) {
  system_definition untyped{{"Accounts", "Mystery"}};
  untyped.bind<bank::BankAccounts>("Accounts");
  application_registry empty;
  const auto message = message_of([&] { untyped.validate(empty); });
  EXPECT_NE(message.find("'Mystery'"), std::string::npos) << message;
}

TEST(SystemDefinition, TypesComeFromTheRegistryByName) {
  application_registry registry;
  registry.add<bank::BankAccounts>("bank.BankAccounts");
  registry.add<bank::EmailProcess>("EmailProcess");
  system_definition sys{{"Accounts", "EmailProcess"}};
  sys.use_type("Accounts", "bank.BankAccounts");
  EXPECT_NO_THROW(sys.validate(registry));
  EXPECT_EQ(sys.type_of("Accounts", registry).name, "bank.BankAccounts");
  EXPECT_TRUE(sys.type_of("EmailProcess", registry).is_process);
}

TEST(ApplicationRegistry, DuplicateTypeNamesAreErrors) {
  application_registry registry;
  registry.add<bank::BankAccounts>("bank.BankAccounts");
  try {
    registry.add<bank::EmailProcess>("bank.BankAccounts");
    FAIL();
  } catch (const weft::error& e) {
    EXPECT_NE(std::string(e.what()).find("'bank.BankAccounts'"), std::string::npos);
  }
  EXPECT_EQ(registry.names(), (names{"bank.BankAccounts"}));
  EXPECT_THROW((void)registry.at("nope"), invalid_input);
}

}  // namespace
}  // namespace weft::es
