// The weft executable: everything happens in weft::runner::cli_main (src/runner/cli.cpp).
#include "weft/runner/cli.hpp"

int main(int argc, char** argv) {
  return weft::runner::cli_main(argc, argv);
}
