// A plugin whose entry point registers nothing: a user error worth naming.
#include "weft/es/application_registry.hpp"

WEFT_PLUGIN(/*registry*/) {}
