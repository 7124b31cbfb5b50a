#pragma once
// A small bank for the chaos harness: a cycle and a follower of two upstreams.
//
//   Transfers | Accounts | Transfers     (the cycle)
//   Accounts | Ledger,  Transfers | Ledger   (Ledger follows two upstreams)
//
// A transfer is requested (Transfers, command `transfer`), the source account
// is debited (Accounts), the transfer marked debited (Transfers), the target
// account credited (Accounts), the transfer completed (Transfers). The Ledger
// posts one entry per debit, credit and completion, under RANDOM ids: a
// notification processed twice would post a second entry that no unique key
// refuses, so the harness sees it. Every account event carries the balance
// after it, so a stale aggregate (lost or doubled event) breaks a checkable
// chain. Invariants: each transfer requested, debited, credited, completed
// exactly once; sum of balances 0; ledger debits = credits.
#include <cstdint>

#include "weft/es/aggregate.hpp"
#include "weft/es/application_registry.hpp"
#include "weft/es/codec.hpp"
#include "weft/es/process_application.hpp"

namespace bank {

/// Transfer `n` of a client has this id, so `transfer` is idempotent by n.
weft::uuid transfer_id_of(std::uint64_t n);
weft::uuid account_id_of(std::uint32_t number);

struct TransferRequested {
  std::uint64_t n = 0;
  weft::uuid from;
  weft::uuid to;
  std::int64_t amount = 0;
};
WEFT_EVENT(TransferRequested, "bank.TransferRequested", n, from, to, amount);

struct TransferDebited {
  weft::uuid to;
  std::int64_t amount = 0;
};
WEFT_EVENT(TransferDebited, "bank.TransferDebited", to, amount);

struct TransferCompleted {
  std::int64_t amount = 0;
};
WEFT_EVENT(TransferCompleted, "bank.TransferCompleted", amount);

struct AccountOpened {
  std::uint32_t number = 0;
};
WEFT_EVENT(AccountOpened, "bank.AccountOpened", number);

struct AccountDebited {
  weft::uuid transfer_id;
  std::int64_t amount = 0;
  std::int64_t balance = 0;  ///< after this debit
};
WEFT_EVENT(AccountDebited, "bank.AccountDebited", transfer_id, amount, balance);

struct AccountCredited {
  weft::uuid transfer_id;
  std::int64_t amount = 0;
  std::int64_t balance = 0;  ///< after this credit
};
WEFT_EVENT(AccountCredited, "bank.AccountCredited", transfer_id, amount, balance);

/// One ledger entry: kind 'd'ebit (amount < 0), 'c'redit, or 'x' completed (amount 0).
struct EntryPosted {
  weft::uuid transfer_id;
  std::string kind;
  std::int64_t amount = 0;
};
WEFT_EVENT(EntryPosted, "bank.EntryPosted", transfer_id, kind, amount);

class Transfer
    : public weft::es::aggregate<Transfer, TransferRequested, TransferDebited, TransferCompleted> {
 public:
  void apply(const TransferRequested& e) {
    to = e.to;
    amount = e.amount;
  }
  void apply(const TransferDebited&) { debited = true; }
  void apply(const TransferCompleted&) { completed = true; }
  weft::uuid to;
  std::int64_t amount = 0;
  bool debited = false;
  bool completed = false;
};

class Account
    : public weft::es::aggregate<Account, AccountOpened, AccountDebited, AccountCredited> {
 public:
  void apply(const AccountOpened&) {}
  void apply(const AccountDebited& e) { balance = e.balance; }
  void apply(const AccountCredited& e) { balance = e.balance; }
  std::int64_t balance = 0;
};

class Entry : public weft::es::aggregate<Entry, EntryPosted> {
 public:
  void apply(const EntryPosted&) {}
};

/// Command `transfer {n, from, to, amount}` (account numbers); follows Accounts.
class Transfers : public weft::es::process_application {
 public:
  explicit Transfers(weft::es::app_context context);

 private:
  void debited(const AccountDebited& e, weft::es::processing& p);
  void credited(const AccountCredited& e, weft::es::processing& p);
};

/// Debits and credits accounts (opened on first use); follows Transfers.
class Accounts : public weft::es::process_application {
 public:
  explicit Accounts(weft::es::app_context context);

 private:
  void requested(const TransferRequested& e, weft::es::processing& p);
  void transfer_debited(const TransferDebited& e, weft::es::processing& p);
  Account open(const weft::uuid& id);
};

/// Posts an entry per debit, credit and completion; follows Accounts and Transfers.
class Ledger : public weft::es::process_application {
 public:
  explicit Ledger(weft::es::app_context context);

 private:
  void post(weft::es::processing& p, const weft::uuid& transfer, std::string kind,
            std::int64_t amount);
};

/// Registers bank.Transfers, bank.Accounts and bank.Ledger.
void register_types(weft::es::application_registry& registry);

}  // namespace bank
