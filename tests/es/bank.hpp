#pragma once
// A small domain for the es tests: bank accounts (with snapshot state) and
// an application with commands.
#include <cstdint>
#include <string>

#include "weft/es/aggregate.hpp"
#include "weft/es/application.hpp"
#include "weft/es/codec.hpp"

namespace bank {

struct AccountOpened {
  weft::uuid id;
  std::string full_name;
  std::string email;
};
WEFT_EVENT(AccountOpened, "bank.AccountOpened", id, full_name, email);

struct Deposited {
  std::int64_t amount = 0;
};
WEFT_EVENT(Deposited, "bank.Deposited", amount);

class Account : public weft::es::aggregate<Account, AccountOpened, Deposited> {
 public:
  static Account open(std::string full_name, std::string email) {
    const auto id = weft::uuid::random();
    return create(id, AccountOpened{id, std::move(full_name), std::move(email)});
  }
  void deposit(std::int64_t amount) { trigger(Deposited{amount}); }

  void apply(const AccountOpened& e) {
    full_name = e.full_name;
    email = e.email;
  }
  void apply(const Deposited& e) { balance += e.amount; }

  std::string full_name;
  std::string email;
  std::int64_t balance = 0;
  WEFT_AGGREGATE_STATE(full_name, email, balance)
};

class BankAccounts : public weft::es::application {
 public:
  explicit BankAccounts(weft::es::app_context context) : application(std::move(context)) {
    commands().add("open_account", [this](const weft::es::command_args& args) {
      return open_account(args.get<std::string>("full_name"), args.get<std::string>("email")).str();
    });
    commands().add("deposit", [this](const weft::es::command_args& args) {
      deposit(args.get<weft::uuid>("id"), args.get<std::int64_t>("amount"));
      return nlohmann::json(nullptr);
    });
  }

  weft::uuid open_account(std::string full_name, std::string email) {
    auto account = Account::open(std::move(full_name), std::move(email));
    save(account);
    return account.id();
  }
  void deposit(const weft::uuid& id, std::int64_t amount) {
    if (amount <= 0) throw weft::invalid_input("deposit amount must be positive");
    auto account = get<Account>(id);
    account.deposit(amount);
    save(account);
  }
  std::int64_t balance(const weft::uuid& id) { return get<Account>(id).balance; }
};

}  // namespace bank

#include "weft/es/process_application.hpp"

namespace bank {

struct EmailCreated {
  weft::uuid id;
  std::string to;
  std::string subject;
};
WEFT_EVENT(EmailCreated, "bank.EmailCreated", id, to, subject);

class EmailNotification : public weft::es::aggregate<EmailNotification, EmailCreated> {
 public:
  void apply(const EmailCreated& e) {
    to = e.to;
    subject = e.subject;
  }
  std::string to;
  std::string subject;
};

/// Sends (records) one email per account opened. The email's id is derived
/// from the account's, so processing an account twice would collide.
class EmailProcess : public weft::es::process_application {
 public:
  explicit EmailProcess(weft::es::app_context context) : process_application(std::move(context)) {
    on<&EmailProcess::account_opened>();
  }

  void account_opened(const AccountOpened& e, weft::es::processing& processing) {
    const auto id = weft::uuid::name_based(e.id, "welcome email");
    auto email = EmailNotification::create(id, EmailCreated{id, e.email, "Your New Account"});
    processing.save(email);
  }
};

}  // namespace bank
