#pragma once
// How hard a recorder works to keep a committed transaction across failures.
namespace weft::store {

enum class durability {
  full,    ///< survives power loss: every commit is synced to disk (the default)
  normal,  ///< survives a crash of the process, may lose the last commits on power loss
};

}  // namespace weft::store
