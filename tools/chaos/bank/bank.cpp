#include "bank.hpp"

#include <string>

namespace bank {
namespace {

const weft::uuid bank_namespace = weft::uuid::parse("6f1c2a52-3d5e-4c1b-9a0e-0c4b1e2f7a11");

}  // namespace

weft::uuid transfer_id_of(std::uint64_t n) {
  return weft::uuid::name_based(bank_namespace, "transfer-" + std::to_string(n));
}

weft::uuid account_id_of(std::uint32_t number) {
  return weft::uuid::name_based(bank_namespace, "account-" + std::to_string(number));
}

Transfers::Transfers(weft::es::app_context context) : process_application(std::move(context)) {
  on<&Transfers::debited>();
  on<&Transfers::credited>();
  set_follow_topics({std::string(weft::es::topic_of<AccountDebited>),
                     std::string(weft::es::topic_of<AccountCredited>)});
  commands().add("transfer", [this](const weft::es::command_args& args) {
    const auto n = args.get<std::uint64_t>("n");
    const auto amount = args.get<std::int64_t>("amount");
    if (amount <= 0) args.fail("amount", "must be positive");
    const auto id = transfer_id_of(n);
    // Idempotent by n: a client that lost the reply may send it again.
    if (find<Transfer>(id)) return nlohmann::json{{"id", id.str()}, {"again", true}};
    auto made = Transfer::create(
        id, TransferRequested{n, account_id_of(args.get<std::uint32_t>("from")),
                              account_id_of(args.get<std::uint32_t>("to")), amount});
    save(made);
    return nlohmann::json{{"id", id.str()}, {"again", false}};
  });
}

void Transfers::debited(const AccountDebited& e, weft::es::processing& p) {
  auto transfer = get<Transfer>(e.transfer_id);
  if (transfer.debited) return;
  transfer.trigger(TransferDebited{transfer.to, transfer.amount});
  p.save(transfer);
}

void Transfers::credited(const AccountCredited& e, weft::es::processing& p) {
  auto transfer = get<Transfer>(e.transfer_id);
  if (transfer.completed) return;
  transfer.trigger(TransferCompleted{transfer.amount});
  p.save(transfer);
}

Accounts::Accounts(weft::es::app_context context) : process_application(std::move(context)) {
  on<&Accounts::requested>();
  on<&Accounts::transfer_debited>();
  set_follow_topics({std::string(weft::es::topic_of<TransferRequested>),
                     std::string(weft::es::topic_of<TransferDebited>)});
}

Account Accounts::open(const weft::uuid& id) {
  if (auto found = find<Account>(id)) return std::move(*found);
  return Account::create(id, AccountOpened{0});
}

// No "already debited?" guard here on purpose: exactly-once must come from
// the tracking record, and the harness counts debits per transfer.
void Accounts::requested(const TransferRequested& e, weft::es::processing& p) {
  auto account = open(e.from);
  account.trigger(
      AccountDebited{p.source().event.originator_id, e.amount, account.balance - e.amount});
  p.save(account);
}

void Accounts::transfer_debited(const TransferDebited& e, weft::es::processing& p) {
  auto account = open(e.to);
  account.trigger(
      AccountCredited{p.source().event.originator_id, e.amount, account.balance + e.amount});
  p.save(account);
}

Ledger::Ledger(weft::es::app_context context) : process_application(std::move(context)) {
  on<AccountDebited>([this](const AccountDebited& e, weft::es::processing& p) {
    post(p, e.transfer_id, "d", -e.amount);
  });
  on<AccountCredited>([this](const AccountCredited& e, weft::es::processing& p) {
    post(p, e.transfer_id, "c", e.amount);
  });
  on<TransferCompleted>([this](const TransferCompleted&, weft::es::processing& p) {
    post(p, p.source().event.originator_id, "x", 0);
  });
  set_follow_topics({std::string(weft::es::topic_of<AccountDebited>),
                     std::string(weft::es::topic_of<AccountCredited>),
                     std::string(weft::es::topic_of<TransferCompleted>)});
}

void Ledger::post(weft::es::processing& p, const weft::uuid& transfer, std::string kind,
                  std::int64_t amount) {
  const auto id = weft::uuid::time_ordered();
  auto entry = Entry::create(id, EntryPosted{transfer, std::move(kind), amount});
  p.save(entry);
}

void register_types(weft::es::application_registry& registry) {
  registry.add<Transfers>("bank.Transfers");
  registry.add<Accounts>("bank.Accounts");
  registry.add<Ledger>("bank.Ledger");
}

}  // namespace bank
