#include <unordered_set>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "weft/core/error.hpp"
#include "weft/core/uuid.hpp"

namespace weft {

TEST(Uuid, RandomIsVersion4AndDistinct) {
  std::unordered_set<uuid> seen;
  for (int i = 0; i < 1000; ++i) {
    const uuid id = uuid::random();
    EXPECT_EQ(id.bytes[6] >> 4, 4);
    EXPECT_EQ(id.bytes[8] >> 6, 2);  // RFC 4122 variant
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(Uuid, RandomInAForkedChildDoesNotRepeatItsParent) {
  (void)uuid::random();  // the parent's per-thread generator now exists
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const uuid id = uuid::random();
    const bool written = ::write(fds[1], id.bytes.data(), id.bytes.size()) == 16;
    ::_exit(written ? 0 : 1);
  }
  ::close(fds[1]);
  const uuid in_parent = uuid::random();
  uuid in_child;
  ASSERT_EQ(::read(fds[0], in_child.bytes.data(), in_child.bytes.size()), 16);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_NE(in_child, in_parent);
}

TEST(Uuid, NameBasedIsVersion5AndStable) {
  const uuid ns = uuid::parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");  // RFC 4122 DNS namespace
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
  EXPECT_EQ(uuid::name_based(ns, "python.org").str(), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  EXPECT_EQ(uuid::name_based(ns, "a"), uuid::name_based(ns, "a"));
  EXPECT_NE(uuid::name_based(ns, "a"), uuid::name_based(ns, "b"));
}

TEST(Uuid, ParseRoundTripsAndRejectsGarbageNamingIt) {
  const uuid id = uuid::random();
  EXPECT_EQ(uuid::parse(id.str()), id);
  EXPECT_TRUE(uuid::nil().is_nil());
  try {
    uuid::parse("not-a-uuid");
    FAIL() << "parse accepted garbage";
  } catch (const invalid_input& e) {
    EXPECT_NE(std::string(e.what()).find("not-a-uuid"), std::string::npos);
  }
  EXPECT_THROW(uuid::parse("6ba7b810-9dad-11d1-80b4-00c04fd430cZ"), invalid_input);
}

}  // namespace weft
