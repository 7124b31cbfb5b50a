#pragma once
// Event types and an application for the decoder fuzzers: together their
// fields take every path of the event codec (in-place integers, floats,
// strings and uuids; msgpack-cxx adaptors for containers), and the commands
// read every kind of argument.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "weft/es/aggregate.hpp"
#include "weft/es/application.hpp"
#include "weft/es/codec.hpp"

namespace fuzz_domain {

struct Opened {
  weft::uuid id;
  std::string owner;
  std::int64_t balance = 0;
  bool active = false;
};
WEFT_EVENT(Opened, "fuzz.Opened", id, owner, balance, active);

struct Measured {
  std::uint8_t small = 0;
  std::int16_t wide = 0;
  std::uint64_t count = 0;
  double value = 0;
  float ratio = 0;
};
WEFT_EVENT(Measured, "fuzz.Measured", small, wide, count, value, ratio);

struct Tagged {
  std::vector<std::string> tags;
  std::map<std::string, std::int64_t> totals;
  std::optional<std::int32_t> limit;
  std::vector<std::vector<std::int32_t>> grid;
};
WEFT_EVENT(Tagged, "fuzz.Tagged", tags, totals, limit, grid);

struct Empty {};
WEFT_EVENT(Empty, "fuzz.Empty");

/// Topics the fuzzers pick from by index; the last one is registered nowhere.
inline constexpr std::string_view topics[] = {"fuzz.Opened", "fuzz.Measured", "fuzz.Tagged",
                                              "fuzz.Empty", "fuzz.Unknown"};

class Account : public weft::es::aggregate<Account, Opened, Tagged> {
 public:
  void apply(const Opened& e) {
    owner = e.owner;
    balance = e.balance;
  }
  void apply(const Tagged& e) { tags = e.tags; }
  std::string owner;
  std::int64_t balance = 0;
  std::vector<std::string> tags;
};

/// Commands that read every kind of argument and record what they were given.
class Accounts : public weft::es::application {
 public:
  explicit Accounts(weft::es::app_context context) : application(std::move(context)) {
    commands().add("open", [this](const weft::es::command_args& args) {
      const auto id = weft::uuid::random();
      auto account = Account::create(
          id, Opened{id, args.get<std::string>("owner"), args.get<std::int64_t>("balance", 0),
                     args.get<bool>("active", true)});
      save(account);
      return nlohmann::json(id.str());
    });
    commands().add("tag", [this](const weft::es::command_args& args) {
      auto account = get<Account>(args.get<weft::uuid>("id"));
      std::optional<std::int32_t> limit;
      if (args.has("limit")) limit = args.get<std::int32_t>("limit");
      account.trigger(Tagged{args.get<std::vector<std::string>>("tags"),
                             args.get<std::map<std::string, std::int64_t>>("totals", {}),
                             limit,
                             {}});
      save(account);
      return nlohmann::json(account.tags);
    });
    commands().add("echo", [](const weft::es::command_args& args) {
      return nlohmann::json{{"text", args.get<std::string>("text")},
                            {"ratio", args.get<double>("ratio", 1.0)},
                            {"all", args.json()}};
    });
  }
};

}  // namespace fuzz_domain
