// A plugin that registers a type name the registering plugin registered
// already ("test.Counter"): loaded after it, the second registration must be
// refused, naming the type and this plugin.
#include "weft/es/application_registry.hpp"

namespace {

class other_counter : public weft::es::application {
 public:
  using application::application;
};

}  // namespace

WEFT_PLUGIN(registry) {
  registry.add<other_counter>("test.Counter");
}
