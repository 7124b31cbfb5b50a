#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "weft/core/error.hpp"
#include "weft/core/log.hpp"

namespace weft {

TEST(Log, ParsesLevelsAndRejectsUnknownNamingIt) {
  EXPECT_EQ(log::parse_level("debug"), log::level::debug);
  EXPECT_EQ(log::parse_level("error"), log::level::err);
  try {
    log::parse_level("loud");
    FAIL();
  } catch (const invalid_input& e) {
    EXPECT_NE(std::string(e.what()).find("loud"), std::string::npos);
  }
}

TEST(Log, ToFileMovesExistingLoggersAndRespectsLevel) {
  auto logger = log::get("test.component");
  const auto path = std::filesystem::temp_directory_path() /
                    ("weft-log-test-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(path);
  log::to_file(path.string());
  log::set_level(log::level::warn);
  logger->info("hidden message");
  logger->warn("visible message");
  logger->flush();
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  EXPECT_EQ(text.str().find("hidden message"), std::string::npos);
  EXPECT_NE(text.str().find("visible message"), std::string::npos);
  EXPECT_NE(text.str().find("[test.component]"), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace weft
