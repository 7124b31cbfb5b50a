#pragma once
// Stands in for weft::es::application_registry until the runner binds the real
// one: the loader does not care what the entry point's argument is.
#include <string>
#include <vector>

struct fake_registry {
  std::vector<std::string> types;
};
