// Reference transports for ring_bench. Written for the benchmark only.
#include "peers.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include <boost/interprocess/ipc/message_queue.hpp>
#include <climits>
#include <cstring>
#include <new>
#include <random>
#include <string>

#include "weft/shm/doorbell.hpp"

namespace weft::bench {
namespace {

constexpr std::uint32_t wrap_marker = 0xFFFFFFFF;

struct raw_ring {
  static constexpr std::size_t capacity = std::size_t{1} << 20;
  alignas(64) std::atomic<std::uint64_t> tail;
  alignas(64) std::atomic<std::uint64_t> head;
  alignas(64) std::byte data[capacity];
};

class raw_producer {
 public:
  explicit raw_producer(raw_ring& r) : r_(r) {}
  bool push(const std::byte* payload, std::uint32_t len, std::size_t batch) {
    const std::size_t need = (4 + len + 7) & ~std::size_t{7};
    std::size_t off = tail_ & (raw_ring::capacity - 1);
    const std::size_t pad = off + need > raw_ring::capacity ? raw_ring::capacity - off : 0;
    if (tail_ + pad + need - head_cache_ > raw_ring::capacity) {
      head_cache_ = r_.head.load(std::memory_order_acquire);  // pairs with release in poll()
      if (tail_ + pad + need - head_cache_ > raw_ring::capacity) {
        publish();
        return false;
      }
    }
    if (pad != 0) {
      std::memcpy(r_.data + off, &wrap_marker, 4);
      tail_ += pad;
      off = 0;
    }
    std::memcpy(r_.data + off, &len, 4);
    std::memcpy(r_.data + off + 4, payload, len);
    tail_ += need;
    if (++pending_ >= batch) publish();
    return true;
  }
  void publish() {
    r_.tail.store(tail_, std::memory_order_release);  // pairs with acquire in poll()
    pending_ = 0;
  }

 private:
  raw_ring& r_;
  std::uint64_t tail_ = 0, head_cache_ = 0;
  std::size_t pending_ = 0;
};

class raw_consumer {
 public:
  explicit raw_consumer(raw_ring& r) : r_(r) {}
  template <class F>
  std::size_t poll(F&& f, std::size_t max) {
    if (read_ == tail_cache_) {
      tail_cache_ = r_.tail.load(std::memory_order_acquire);
      if (read_ == tail_cache_) return 0;
    }
    std::size_t n = 0;
    while (read_ < tail_cache_ && n < max) {
      const std::size_t off = read_ & (raw_ring::capacity - 1);
      std::uint32_t len = 0;
      std::memcpy(&len, r_.data + off, 4);
      if (len == wrap_marker) {
        read_ += raw_ring::capacity - off;
        continue;
      }
      f(r_.data + off + 4, len);
      read_ += (4 + len + 7) & ~std::size_t{7};
      ++n;
    }
    r_.head.store(read_, std::memory_order_release);  // pairs with acquire in push()
    return n;
  }

 private:
  raw_ring& r_;
  std::uint64_t read_ = 0, tail_cache_ = 0;
};

raw_ring* new_raw_ring() {
  return new (shared_alloc<raw_ring>(sizeof(raw_ring))) raw_ring{};
}

std::uint64_t first_word(const std::byte* p) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, 8);
  return v;
}

double rate(std::uint64_t n, const handshake& h) {
  return static_cast<double>(n) * 1e9 / static_cast<double>(h.end.load() - h.start.load());
}

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT, seen, nullptr, nullptr,
            0);
}
void futex_wake(std::atomic<std::uint32_t>& word) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, INT_MAX, nullptr,
            nullptr, 0);
}

}  // namespace

double raw_throughput(std::size_t size, std::uint64_t n, std::size_t batch) {
  auto* ring = new_raw_ring();
  auto* h = shared_alloc<handshake>(sizeof(handshake));
  const std::size_t max_read = batch == 1 ? 1 : 256;
  two_processes(
      [&] {
        raw_consumer c(*ring);
        std::uint64_t got = 0, sum = 0;
        h->ready.store(1, std::memory_order_release);
        while (got < n) {
          got += c.poll([&](const std::byte* p, std::uint32_t) { sum += first_word(p); }, max_read);
        }
        h->end.store(now_ns());
        h->checksum.store(sum);
      },
      [&] {
        raw_producer p(*ring);
        std::vector<std::byte> msg(size);
        wait_ready(*h, 1);
        h->start.store(now_ns());
        for (std::uint64_t i = 0; i < n; ++i) {
          std::memcpy(msg.data(), &i, 8);
          while (!p.push(msg.data(), static_cast<std::uint32_t>(size), batch)) shm::spin_pause();
        }
        p.publish();
      });
  return rate(n, *h);
}

double message_queue_throughput(std::size_t size, std::uint64_t n) {
  namespace bip = boost::interprocess;
  const std::string name =
      "weft-bench-mq-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}());
  bip::message_queue::remove(name.c_str());
  bip::message_queue create(bip::create_only, name.c_str(), 1024, size);
  auto* h = shared_alloc<handshake>(sizeof(handshake));
  two_processes(
      [&] {
        bip::message_queue q(bip::open_only, name.c_str());
        std::vector<std::byte> buf(size);
        std::uint64_t sum = 0;
        h->ready.store(1, std::memory_order_release);
        for (std::uint64_t i = 0; i < n; ++i) {
          bip::message_queue::size_type got = 0;
          unsigned prio = 0;
          q.receive(buf.data(), buf.size(), got, prio);
          sum += first_word(buf.data());
        }
        h->end.store(now_ns());
        h->checksum.store(sum);
      },
      [&] {
        std::vector<std::byte> msg(size);
        wait_ready(*h, 1);
        h->start.store(now_ns());
        for (std::uint64_t i = 0; i < n; ++i) {
          std::memcpy(msg.data(), &i, 8);
          create.send(msg.data(), size, 0);
        }
      });
  bip::message_queue::remove(name.c_str());
  return rate(n, *h);
}

double pipe_throughput(std::size_t size, std::uint64_t n, bool batched) {
  int fds[2];
  if (::pipe(fds) != 0) std::abort();
  ::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);  // as large as the rings
  auto* h = shared_alloc<handshake>(sizeof(handshake));
  const std::size_t chunk = batched ? (std::size_t{64} << 10) / size * size : size;
  two_processes(
      [&] {
        ::close(fds[1]);
        std::vector<std::byte> buf(chunk);
        std::uint64_t sum = 0, bytes = 0;
        const std::uint64_t total = n * size;
        h->ready.store(1, std::memory_order_release);
        while (bytes < total) {
          // Whole messages only: read until the chunk boundary is a message boundary.
          std::size_t have = 0;
          do {
            const ssize_t r = ::read(fds[0], buf.data() + have, chunk - have);
            if (r <= 0) std::abort();
            have += static_cast<std::size_t>(r);
          } while (have % size != 0);
          for (std::size_t at = 0; at < have; at += size) sum += first_word(buf.data() + at);
          bytes += have;
        }
        h->end.store(now_ns());
        h->checksum.store(sum);
      },
      [&] {
        ::close(fds[0]);
        std::vector<std::byte> buf(chunk);
        wait_ready(*h, 1);
        h->start.store(now_ns());
        std::size_t fill = 0;
        for (std::uint64_t i = 0; i < n; ++i) {
          std::memcpy(buf.data() + fill, &i, 8);
          fill += size;
          if (fill == chunk || i + 1 == n) {
            for (std::size_t at = 0; at < fill;) {
              const ssize_t w = ::write(fds[1], buf.data() + at, fill - at);
              if (w <= 0) std::abort();
              at += static_cast<std::size_t>(w);
            }
            fill = 0;
          }
        }
        ::close(fds[1]);
      });
  ::close(fds[0]);
  ::close(fds[1]);
  return rate(n, *h);
}

percentiles raw_spin_latency(std::size_t rounds) {
  auto* ping = new_raw_ring();
  auto* pong = new_raw_ring();
  auto* h = shared_alloc<handshake>(sizeof(handshake));
  std::vector<std::int64_t> rtt(rounds);
  two_processes(
      [&] {
        raw_consumer in(*ping);
        raw_producer out(*pong);
        h->ready.store(1, std::memory_order_release);
        std::byte msg[64] = {};
        for (std::size_t i = 0; i < rounds; ++i) {
          while (in.poll([&](const std::byte* p, std::uint32_t len) { std::memcpy(msg, p, len); },
                         1) == 0) {
          }
          out.push(msg, 64, 1);
        }
      },
      [&] {
        raw_producer out(*ping);
        raw_consumer in(*pong);
        wait_ready(*h, 1);
        std::byte msg[64] = {};
        for (std::size_t i = 0; i < rounds; ++i) {
          const std::int64_t t0 = now_ns();
          out.push(msg, 64, 1);
          while (in.poll([&](const std::byte* p, std::uint32_t len) { std::memcpy(msg, p, len); },
                         1) == 0) {
          }
          rtt[i] = now_ns() - t0;
        }
      });
  return one_way(std::move(rtt));
}

percentiles raw_futex_latency(std::size_t rounds) {
  struct words {
    alignas(64) std::atomic<std::uint32_t> ping;
    alignas(64) std::atomic<std::uint32_t> pong;
  };
  auto* w = new (shared_alloc<words>(sizeof(words))) words{};
  auto* h = shared_alloc<handshake>(sizeof(handshake));
  std::vector<std::int64_t> rtt(rounds);
  auto await = [](std::atomic<std::uint32_t>& word, std::uint32_t want) {
    for (std::uint32_t v; (v = word.load(std::memory_order_acquire)) != want;) futex_wait(word, v);
  };
  two_processes(
      [&] {
        h->ready.store(1, std::memory_order_release);
        for (std::uint32_t i = 1; i <= rounds; ++i) {
          await(w->ping, i);
          w->pong.store(i, std::memory_order_release);
          futex_wake(w->pong);
        }
      },
      [&] {
        wait_ready(*h, 1);
        for (std::uint32_t i = 1; i <= rounds; ++i) {
          const std::int64_t t0 = now_ns();
          w->ping.store(i, std::memory_order_release);
          futex_wake(w->ping);
          await(w->pong, i);
          rtt[i - 1] = now_ns() - t0;
        }
      });
  return one_way(std::move(rtt));
}

}  // namespace weft::bench
