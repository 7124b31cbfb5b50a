// The other process of the multi-process shm tests, started with fork/exec.
//   shm_peer produce <segment> <channel> <count|0=forever> <batch>
//   shm_peer consume <segment> <channel> <count> <final-epoch> <first-seq-min> <first-seq-max>
//   shm_peer lane-produce <segment> <process> <producer-id> <count> <batch>
//   shm_peer lane-consume <segment> <process> <producers> <count-each>
//   shm_peer attach <segment>
// Exit codes: 0 ok, 1 verification failed, 2 usage, 3 attach refused, 4 timeout.
// Consumers report progress in their process entry (the follower's/the app's):
//   notification_position = records seen, events_recorded = records released.
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "peer_records.hpp"
#include "weft/shm/ingress.hpp"
#include "weft/shm/segment.hpp"

using namespace weft::shm;
using test::parsed;

namespace {

constexpr std::uint16_t data_type = 7;
const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "shm_peer: %s\n", why.c_str());
  std::exit(1);
}

void check_deadline() {
  if (std::chrono::steady_clock::now() > deadline) {
    std::fprintf(stderr, "shm_peer: timed out\n");
    std::exit(4);
  }
}

std::uint64_t num(const char* text) {
  return std::strtoull(text, nullptr, 10);
}

void back_off(int& spins) {
  if (++spins < 100) {
    spin_pause();
  } else {
    spins = 0;
    check_deadline();
    ::sched_yield();
  }
}

void produce(spsc_producer& ring, std::uint64_t count, std::uint64_t batch, std::uint32_t id) {
  int spins = 0;
  for (std::uint64_t seq = 0; count == 0 || seq < count; ++seq) {
    claim c;
    while (!(c = ring.try_claim(data_type, test::record_size(seq)))) {
      if (c.status == push_result::corrupt) fail(ring.error());
      ring.commit();  // never hold a partial batch while waiting for room
      back_off(spins);
    }
    test::write_record(c.payload, seq, id);
    if ((seq + 1) % batch == 0) ring.commit();
  }
  ring.commit();
}

int consume(segment& s, std::uint32_t ch, std::uint64_t count, std::uint32_t final_epoch,
            std::uint64_t first_min, std::uint64_t first_max) {
  auto ring = s.downstream_consumer(ch);
  auto& me = s.process(s.channel(ch).follower);
  std::uint64_t seen = 0, expected = 0;
  int epoch = -1;
  bool first = true;
  for (;;) {
    record_view view;
    std::size_t n = 0;
    read_status status;
    while (n < 64 && (status = ring.try_read(view)) == read_status::record) {
      parsed r{};
      if (!test::read_record(view.payload, r))
        fail("torn or corrupt record at seen " + std::to_string(seen));
      if (first) {
        if (r.seq < first_min || r.seq > first_max) {
          fail("first record " + std::to_string(r.seq) + " outside [" + std::to_string(first_min) +
               ", " + std::to_string(first_max) + "]");
        }
        expected = r.seq;
        epoch = view.epoch;
        first = false;
      }
      if (view.epoch != epoch) {
        if (view.epoch < epoch)
          fail("record of old epoch " + std::to_string(view.epoch) + " after " +
               std::to_string(epoch));
        epoch = view.epoch;
        expected = 0;  // a restarted producer starts over
      }
      if (r.seq != expected) {
        fail("epoch " + std::to_string(epoch) + ": got seq " + std::to_string(r.seq) +
             ", expected " + std::to_string(expected));
      }
      ++expected;
      ++seen;
      ++n;
      if (static_cast<std::uint32_t>(epoch) == final_epoch && expected == count) {
        ring.release();
        return 0;
      }
    }
    if (n == 0 && status == read_status::corrupt) fail(ring.error());
    me.notification_position.store(seen, std::memory_order_relaxed);
    ring.release();
    me.events_recorded.store(seen, std::memory_order_relaxed);
    if (n == 0) {
      check_deadline();
      wait(me.bell, [&] { return ring.has_data(); });
    }
  }
}

int lane_consume(segment& s, std::uint32_t process, std::uint32_t producers, std::uint64_t each) {
  ingress_server server(s, process);
  auto& me = s.process(process);
  std::vector<std::uint64_t> expected(producers, 0);
  std::uint64_t done = 0, seen = 0;
  for (;;) {
    std::uint32_t lane = 0;
    record_view view;
    const read_status status = server.try_read(lane, view);
    if (status == read_status::corrupt) fail(server.error(lane));
    if (status == read_status::empty) {
      server.release_all();
      me.events_recorded.store(seen, std::memory_order_relaxed);
      check_deadline();
      wait(me.bell, [&] { return server.has_data(); });
      continue;
    }
    parsed r{};
    if (!test::read_record(view.payload, r) || r.producer >= producers)
      fail("torn or corrupt record");
    if (r.seq != expected[r.producer]) {
      fail("producer " + std::to_string(r.producer) + ": got " + std::to_string(r.seq) +
           ", expected " + std::to_string(expected[r.producer]));
    }
    ++seen;
    if (++expected[r.producer] == each && ++done == producers) return 0;
    if (seen % 64 == 0) server.release_all();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string mode = argv[1];
  try {
    auto s = segment::attach(argv[2]);
    if (mode == "attach") return 0;
    if (mode == "produce" && argc == 6) {
      auto ring = s.downstream_producer(static_cast<std::uint32_t>(num(argv[3])));
      produce(ring, num(argv[4]), num(argv[5]), 0);
      return 0;
    }
    if (mode == "consume" && argc == 8) {
      return consume(s, static_cast<std::uint32_t>(num(argv[3])), num(argv[4]),
                     static_cast<std::uint32_t>(num(argv[5])), num(argv[6]), num(argv[7]));
    }
    if (mode == "lane-produce" && argc == 7) {
      auto client = ingress_client::claim(s, static_cast<std::uint32_t>(num(argv[3])));
      produce(client.requests(), num(argv[5]), num(argv[6]),
              static_cast<std::uint32_t>(num(argv[4])));
      return 0;
    }
    if (mode == "lane-consume" && argc == 6) {
      return lane_consume(s, static_cast<std::uint32_t>(num(argv[3])),
                          static_cast<std::uint32_t>(num(argv[4])), num(argv[5]));
    }
  } catch (const segment_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    fail(e.what());
  }
  return 2;
}
