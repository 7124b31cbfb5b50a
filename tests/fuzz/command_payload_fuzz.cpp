// Fuzzes a command from a client lane all the way to its reply: the input is
// the command payload as `weft call` sends it (`name\0json`), framed as a
// command record, decoded by the node layer and run by an application whose
// commands read every kind of argument. Every call must end in a reply (ok,
// or an error naming the problem) that is valid JSON text: a client must not
// be able to crash the application.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_domain.hpp"
#include "weft/node/inbound.hpp"
#include "weft/shm/protocol.hpp"
#include "weft/store/memory_recorder.hpp"

namespace {

std::unique_ptr<fuzz_domain::Accounts> fresh_app() {
  return std::make_unique<fuzz_domain::Accounts>(weft::es::app_context{
      "Accounts", weft::store::make_memory_recorder(), nullptr, weft::es::options{}});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::unique_ptr<fuzz_domain::Accounts> app;
  static std::uint64_t runs = 0;
  if (runs++ % 4096 == 0) app = fresh_app();  // bounds the memory recorder's growth

  // The command record: version 1, word 0, count 0, correlation id, payload.
  std::vector<std::byte> payload(weft::shm::protocol::fixed_size + size);
  const std::uint16_t version = weft::shm::protocol::version;
  const std::uint64_t correlation = runs;
  std::memcpy(payload.data(), &version, 2);
  std::memcpy(payload.data() + 8, &correlation, 8);
  if (size > 0) std::memcpy(payload.data() + weft::shm::protocol::fixed_size, data, size);
  const weft::shm::record_view record{
      static_cast<std::uint16_t>(weft::shm::protocol::message_type::command), 0, payload};

  const auto command = weft::node::decode_command(0, record);
  // The poller's way: parsed in place over the previous input's request.
  static weft::node::command_request reused;
  const auto into = weft::node::decode_command_into(0, record, reused);
  if (into.ok() != command.ok()) __builtin_trap();
  if (!command) {
    if (command.error().message.empty() || command.error().message != into.error().message)
      __builtin_trap();
    return 0;
  }
  const weft::es::command_payload fresh(command->args_json);
  if (reused.name != command->name || reused.args->text() != command->args_json ||
      reused.args->valid() != fresh.valid() || reused.args->is_flat() != fresh.is_flat() ||
      (fresh.valid() && reused.args->json() != fresh.json()))
    __builtin_trap();
  if (command->correlation_id != correlation) __builtin_trap();
  weft::es::command_reply reply;
  {
    auto batch = app->begin_batch();  // as the host runs commands: group commit
    reply = app->handle_command(command->name, command->args_json);
    batch.commit();
  }
  if (!reply.ok && reply.error.empty()) __builtin_trap();
  const auto text = reply.to_json_text();
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || parsed.at("ok").get<bool>() != reply.ok) __builtin_trap();
  return 0;
}
