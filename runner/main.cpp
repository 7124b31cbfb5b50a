// The weft executable: parses arguments and hands off (see src/runner).
#include <iostream>

int main() {
  std::cout << "weft: not yet wired\n";
  return 0;
}
