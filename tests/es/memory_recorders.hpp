#pragma once
// A recorder factory for runner tests: one memory recorder per name, kept
// here so that they outlive runners (a new runner on the same recorders is a
// restart).
#include <map>
#include <memory>
#include <string>

#include "weft/es/single_threaded_runner.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::es::testing {

class memory_recorders {
 public:
  std::shared_ptr<recorder>& operator[](const std::string& name) {
    auto& slot = recorders_[name];
    if (!slot) slot = store::make_memory_recorder();
    return slot;
  }
  recorder_factory factory() {
    return [this](const std::string& name) { return (*this)[name]; };
  }
  [[nodiscard]] bool has(const std::string& name) const { return recorders_.count(name) != 0; }

 private:
  std::map<std::string, std::shared_ptr<recorder>> recorders_;
};

}  // namespace weft::es::testing
