// A plugin that registers one application type.
#include "weft/es/application_registry.hpp"

namespace {

class counter : public weft::es::application {
 public:
  using application::application;
};

}  // namespace

WEFT_PLUGIN(registry) {
  registry.add<counter>("test.Counter");
}
