// The bank under chaos: command i is transfer n = i between two of the
// accounts, idempotent by n, so a command whose reply was lost is sent again.
// The audit checks each transfer requested, debited, credited and completed
// exactly once, every account's balance chain, conservation, and the ledger.
#include <fmt/format.h>

#include <fstream>
#include <unordered_map>

#include "bank/bank.hpp"
#include "chaos_system.hpp"
#include "weft/es/codec.hpp"

namespace chaos {
namespace {

namespace fs = std::filesystem;

std::uint64_t mix(std::uint64_t x) {  // splitmix64: command i's accounts, whatever the order sent
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct transfer_seen {
  std::uint64_t n = 0;
  std::int64_t amount = 0;
  int requested = 0, debited = 0, completed = 0;  // Transfers
  int account_debits = 0, account_credits = 0;    // Accounts
  int ledger_debits = 0, ledger_credits = 0, ledger_closed = 0;
};

struct account_seen {
  std::int64_t balance = 0;
  std::uint64_t events = 0;
};

class bank_audit : public domain_audit {
 public:
  void visit(const std::string& app, const weft::es::notification& note) override {
    const auto& e = note.event;
    if (app == "Transfers") {
      auto& t = transfers_[e.originator_id];
      if (e.topic == "bank.TransferRequested") {
        const auto r = weft::es::decode<bank::TransferRequested>(e);
        ++t.requested;
        t.n = r.n;
        t.amount = r.amount;
      } else if (e.topic == "bank.TransferDebited") {
        ++t.debited;
      } else if (e.topic == "bank.TransferCompleted") {
        ++t.completed;
      }
    } else if (app == "Accounts") {
      auto& account = accounts_[e.originator_id];
      ++account.events;
      if (e.topic == "bank.AccountDebited") {
        const auto d = weft::es::decode<bank::AccountDebited>(e);
        ++transfers_[d.transfer_id].account_debits;
        chain(account, e, -d.amount, d.balance);
        debits_ += d.amount;
      } else if (e.topic == "bank.AccountCredited") {
        const auto c = weft::es::decode<bank::AccountCredited>(e);
        ++transfers_[c.transfer_id].account_credits;
        chain(account, e, c.amount, c.balance);
        credits_ += c.amount;
      }
    } else if (app == "Ledger" && e.topic == "bank.EntryPosted") {
      const auto p = weft::es::decode<bank::EntryPosted>(e);
      auto& t = transfers_[p.transfer_id];
      if (p.kind == "d") ++t.ledger_debits;
      if (p.kind == "c") ++t.ledger_credits;
      if (p.kind == "x") ++t.ledger_closed;
      ledger_sum_ += p.amount;
    }
  }

  void finish(const std::vector<fate>& fates, findings& violations,
              std::map<std::string, std::uint64_t>& facts) override {
    for (auto& v : chain_violations_) violations.add(std::move(v));
    std::vector<std::uint8_t> made(fates.size(), 0);
    for (const auto& [id, t] : transfers_) {
      const auto name = id.str();
      const auto expect = [&](int count, const char* what) {
        if (count != 1)
          violations.add(fmt::format("transfer {} ({}): {} x {}", t.n, name, count, what));
      };
      expect(t.requested, "requested");
      if (t.requested != 1) continue;
      expect(t.debited, "marked debited");
      expect(t.completed, "completed");
      expect(t.account_debits, "account debit");
      expect(t.account_credits, "account credit");
      expect(t.ledger_debits, "ledger debit");
      expect(t.ledger_credits, "ledger credit");
      expect(t.ledger_closed, "ledger completion");
      if (t.n >= fates.size())
        violations.add(fmt::format("transfer {}: no command of this run", t.n));
      else if (++made[t.n] > 1)
        violations.add(fmt::format("transfer {} recorded twice", t.n));
      if (bank::transfer_id_of(t.n) != id)
        violations.add(fmt::format("transfer {} has id {}, not its own", t.n, name));
    }
    for (std::size_t i = 0; i < fates.size(); ++i)
      if (fates[i] == fate::acknowledged && made[i] == 0)
        violations.add(fmt::format("transfer {} was acknowledged but is not recorded", i));
    std::int64_t total = 0;
    for (const auto& [_, a] : accounts_) total += a.balance;
    if (total != 0)
      violations.add(fmt::format("balances sum to {}, not 0 (money made or lost)", total));
    if (debits_ != credits_)
      violations.add(fmt::format("accounts debited {} but credited {}", debits_, credits_));
    if (ledger_sum_ != 0)
      violations.add(fmt::format("ledger entries sum to {}, not 0", ledger_sum_));
    facts["transfers"] = transfers_.size();
    facts["accounts"] = accounts_.size();
    facts["money_moved"] = static_cast<std::uint64_t>(credits_);
  }

 private:
  // Each account event states the balance after it: it must follow from the previous one.
  void chain(account_seen& account, const weft::es::stored_event& e, std::int64_t delta,
             std::int64_t stated) {
    if (account.balance + delta != stated)
      chain_violations_.push_back(fmt::format("account {} v{}: balance {} + {} stated as {}",
                                              e.originator_id.str(), e.originator_version,
                                              account.balance, delta, stated));
    account.balance = stated;
  }

  std::unordered_map<weft::uuid, transfer_seen> transfers_;
  std::unordered_map<weft::uuid, account_seen> accounts_;
  std::vector<std::string> chain_violations_;
  std::int64_t debits_ = 0, credits_ = 0, ledger_sum_ = 0;
};

}  // namespace

chaos_system bank_system(const fs::path& plugin, const std::string& name, std::uint32_t accounts) {
  chaos_system s;
  s.name = name;
  s.write_system_file = [plugin, name](const fs::path& dir) {
    const fs::path file = dir / "bank.toml";
    std::ofstream(file) << fmt::format(
        R"(# Written by weft-chaos: a cycle (Transfers | Accounts | Transfers) and a
# follower of two upstreams (Ledger).
name = "{}"
data_dir = "data"
plugins = ["{}"]
pipes = ["Transfers | Accounts | Transfers", "Accounts | Ledger", "Transfers | Ledger"]
{}
[[applications]]
name = "Transfers"
type = "bank.Transfers"
[applications.options]
cache = "10000"

[[applications]]
name = "Accounts"
type = "bank.Accounts"
[applications.options]
cache = "unbounded"

[[applications]]
name = "Ledger"
type = "bank.Ledger"
)",
        name, plugin.string(), chaos_tables());
    return file;
  };
  s.register_types = [](weft::es::application_registry& r) { bank::register_types(r); };
  s.command_of = [accounts](std::uint64_t index, std::uint64_t seed) {
    const std::uint64_t r = mix(seed ^ mix(index));
    const auto from = static_cast<std::uint32_t>(r % accounts);
    const auto to = static_cast<std::uint32_t>((from + 1 + (r >> 32) % (accounts - 1)) % accounts);
    return command{"Transfers", "transfer",
                   fmt::format(R"({{"n":{},"from":{},"to":{},"amount":{}}})", index, from, to,
                               1 + index % 100)};
  };
  s.idempotent = true;
  s.make_audit = [] { return std::make_unique<bank_audit>(); };
  return s;
}

}  // namespace chaos
