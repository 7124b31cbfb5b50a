// Creating, attaching and finding segments (Boost.Interprocess over POSIX shm).
#include "weft/shm/segment.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "weft/core/clock.hpp"

namespace weft::shm {
namespace bip = boost::interprocess;

namespace {

constexpr mode_t segment_mode = 0600;

std::string user_prefix() {
  return fmt::format("weft.{}.", ::geteuid());
}

std::string fresh_name() {
  std::random_device entropy;
  const std::uint64_t nonce = (std::uint64_t{entropy()} << 32) | entropy();
  return fmt::format("{}{}.{:016x}", user_prefix(), ::getpid(), nonce);
}

/// The creator pid encoded in a name of this user, if it is one.
std::optional<std::int32_t> creator_from_name(std::string_view name) {
  const std::string prefix = user_prefix();
  if (!name.starts_with(prefix)) return std::nullopt;
  name.remove_prefix(prefix.size());
  std::int32_t pid = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc{} || end == name.data() + name.size() || *end != '.' || pid <= 0) {
    return std::nullopt;
  }
  return pid;
}

/// The tables' places and sizes as validated at attach (or built at create).
/// Indices and ring references are checked against this process-local copy,
/// never against a header that a crashed or hostile peer may have overwritten
/// since.
struct geometry {
  std::uint64_t total_size = 0;
  std::uint64_t process_table = 0;
  std::uint64_t channel_table = 0;
  std::uint64_t lane_table = 0;
  std::uint32_t processes = 0;
  std::uint32_t channels = 0;
  std::uint32_t lanes_per_process = 0;

  static geometry of(const segment_header& h) {
    return {h.total_size,    h.process_table_offset, h.channel_table_offset, h.lane_table_offset,
            h.process_count, h.channel_count,        h.lanes_per_process};
  }
};

struct mapping {
  bip::shared_memory_object shm;
  bip::mapped_region region;
  geometry tables;
};

/// Opens and maps `name`, refusing anything this build must not use.
mapping open_checked(const std::string& name, bip::mode_t mode) {
  mapping m;
  try {
    m.shm = bip::shared_memory_object(bip::open_only, name.c_str(), mode);
  } catch (const bip::interprocess_exception& e) {
    throw segment_error(fmt::format("segment {}: cannot open: {}", name, e.what()));
  }
  struct stat st {};
  if (::fstat(m.shm.get_mapping_handle().handle, &st) != 0) {
    throw segment_error(fmt::format("segment {}: fstat failed: errno {}", name, errno));
  }
  if (st.st_uid != ::geteuid()) {
    throw segment_error(fmt::format("segment {}: owned by uid {}, not by this user (uid {})", name,
                                    st.st_uid, ::geteuid()));
  }
  if ((st.st_mode & 07777) != segment_mode) {
    throw segment_error(fmt::format("segment {}: mode {:04o}, expected {:04o}", name,
                                    st.st_mode & 07777, segment_mode));
  }
  if (st.st_size < static_cast<off_t>(sizeof(segment_header))) {
    throw segment_error(fmt::format("segment {}: {} bytes is smaller than its {}-byte header", name,
                                    st.st_size, sizeof(segment_header)));
  }
  try {
    m.region = bip::mapped_region(m.shm, mode);
  } catch (const bip::interprocess_exception& e) {
    throw segment_error(fmt::format("segment {}: cannot map: {}", name, e.what()));
  }
  const auto* base = static_cast<const std::byte*>(m.region.get_address());
  if (std::string why = validate_segment(base, static_cast<std::size_t>(st.st_size));
      !why.empty()) {
    throw segment_error(fmt::format("segment {}: {}", name, why));
  }
  const auto* header = reinterpret_cast<const segment_header*>(base);
  m.tables = geometry::of(*header);
  if (!process_alive(header->creator_pid, header->creator_start_ticks)) {
    throw segment_error(
        fmt::format("segment {}: its creator (pid {}) is dead; the segment is stale", name,
                    header->creator_pid));
  }
  return m;
}

template <class T>
T& entry(std::byte* base, std::uint64_t table, std::uint64_t index, std::uint64_t count,
         const char* what) {
  if (index >= count) {
    throw std::out_of_range(
        fmt::format("{} index {} out of range (there are {})", what, index, count));
  }
  return *std::launder(reinterpret_cast<T*>(base + table + index * sizeof(T)));
}

std::uint64_t lane_index(const geometry& g, std::uint32_t process, std::uint32_t lane) {
  if (lane >= g.lanes_per_process) {
    throw std::out_of_range(fmt::format("lane index {} out of range (there are {} per process)",
                                        lane, g.lanes_per_process));
  }
  return std::uint64_t{process} * g.lanes_per_process + lane;
}

/// `ref` (read once: it may live in the segment) checked against the validated size.
ring_ref checked_ring(const std::string& segment, const std::byte* base, const geometry& g,
                      const ring_ref& ref) {
  const ring_ref copy = ref;
  if (std::string why = validate_ring_ref(base, g.total_size, copy, "ring"); !why.empty()) {
    throw segment_error(fmt::format("segment {}: {}", segment, why));
  }
  return copy;
}

}  // namespace

// ---- segment ------------------------------------------------------------------

struct segment::impl {
  std::string name;
  mapping map;
  bool owner = false;
  std::byte* base() const { return static_cast<std::byte*>(map.region.get_address()); }
  const segment_header& header() const { return *reinterpret_cast<const segment_header*>(base()); }
  ~impl() {
    if (owner) bip::shared_memory_object::remove(name.c_str());
  }
};

segment::segment(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
segment::segment(segment&&) noexcept = default;
segment& segment::operator=(segment&&) noexcept = default;
segment::~segment() = default;

segment segment::create(const layout_spec& spec) {
  const segment_layout layout = segment_layout::compute(spec);
  auto p = std::make_unique<impl>();
  p->name = fresh_name();
  try {
    p->map.shm = bip::shared_memory_object(bip::create_only, p->name.c_str(), bip::read_write,
                                           bip::permissions(segment_mode));
    p->owner = true;
    // The umask may have narrowed the mode; make it exactly 0600.
    if (::fchmod(p->map.shm.get_mapping_handle().handle, segment_mode) != 0) {
      throw segment_error(fmt::format("segment {}: fchmod failed: errno {}", p->name, errno));
    }
    p->map.shm.truncate(static_cast<bip::offset_t>(layout.total_size));
    p->map.region = bip::mapped_region(p->map.shm, bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    throw segment_error(fmt::format("segment {}: cannot create {} bytes: {}", p->name,
                                    layout.total_size, e.what()));
  }
  build_segment(p->base(), layout, ::getpid(), process_start_ticks(::getpid()).value_or(0),
                ::geteuid(), clock::wall_micros());
  p->map.tables = geometry::of(p->header());
  // Last: pairs with the acquire in validate_segment() of every attach.
  reinterpret_cast<segment_header*>(p->base())->ready.store(segment_ready,
                                                            std::memory_order_release);
  return segment(std::move(p));
}

segment segment::attach(const std::string& name) {
  auto p = std::make_unique<impl>();
  p->name = name;
  p->map = open_checked(name, bip::read_write);
  return segment(std::move(p));
}

const std::string& segment::name() const noexcept {
  return impl_->name;
}
const segment_header& segment::header() const noexcept {
  return impl_->header();
}

std::optional<std::uint32_t> segment::find_process(std::string_view name) const {
  for (std::uint32_t i = 0; i < process_count(); ++i) {
    if (name_of(const_cast<segment*>(this)->process(i)) == name) return i;
  }
  return std::nullopt;
}

std::uint32_t segment::process_count() const noexcept {
  return impl_->map.tables.processes;
}
std::uint32_t segment::channel_count() const noexcept {
  return impl_->map.tables.channels;
}
std::uint32_t segment::lanes_per_process() const noexcept {
  return impl_->map.tables.lanes_per_process;
}

process_entry& segment::process(std::uint32_t index) {
  const geometry& g = impl_->map.tables;
  return entry<process_entry>(impl_->base(), g.process_table, index, g.processes, "process");
}

channel_entry& segment::channel(std::uint32_t index) {
  const geometry& g = impl_->map.tables;
  return entry<channel_entry>(impl_->base(), g.channel_table, index, g.channels, "channel");
}

lane_entry& segment::lane(std::uint32_t process, std::uint32_t lane) {
  const geometry& g = impl_->map.tables;
  return entry<lane_entry>(impl_->base(), g.lane_table, lane_index(g, process, lane),
                           std::uint64_t{g.processes} * g.lanes_per_process, "lane");
}

ring_region segment::ring(const ring_ref& ref) {
  std::byte* base = impl_->base();
  const ring_ref r = checked_ring(impl_->name, base, impl_->map.tables, ref);
  return {reinterpret_cast<ring_control*>(base + r.offset), base + r.offset + sizeof(ring_control),
          r.capacity};
}

namespace {
std::string edge_name(segment& s, std::uint32_t ch, const char* direction) {
  const auto& c = s.channel(ch);
  return fmt::format("{}:{}->{}:{}", s.name(), name_of(s.process(c.leader)),
                     name_of(s.process(c.follower)), direction);
}
}  // namespace

spsc_producer segment::downstream_producer(std::uint32_t ch) {
  auto& c = channel(ch);
  return {ring(c.downstream), &process(c.follower).bell, edge_name(*this, ch, "down")};
}
spsc_consumer segment::downstream_consumer(std::uint32_t ch) {
  return {ring(channel(ch).downstream), edge_name(*this, ch, "down")};
}
spsc_producer segment::upstream_producer(std::uint32_t ch) {
  auto& c = channel(ch);
  return {ring(c.upstream), &process(c.leader).bell, edge_name(*this, ch, "up")};
}
spsc_consumer segment::upstream_consumer(std::uint32_t ch) {
  return {ring(channel(ch).upstream), edge_name(*this, ch, "up")};
}

std::uint32_t segment::reset_channel(std::uint32_t ch) {
  auto& c = channel(ch);
  reset_ring(ring(c.downstream));
  reset_ring(ring(c.upstream));
  // Pairs with acquire loads by ends that want to know the edge restarted.
  return c.epoch.fetch_add(1, std::memory_order_acq_rel) + 1;
}

void segment::remove() noexcept {
  bip::shared_memory_object::remove(impl_->name.c_str());
  impl_->owner = false;
}

void segment::set_owner(bool owner) noexcept {
  impl_->owner = owner;
}

// ---- segment_reader -----------------------------------------------------------

struct segment_reader::impl {
  std::string name;
  mapping map;
  const std::byte* base() const { return static_cast<const std::byte*>(map.region.get_address()); }
  const segment_header& header() const { return *reinterpret_cast<const segment_header*>(base()); }
};

segment_reader::segment_reader(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
segment_reader::segment_reader(segment_reader&&) noexcept = default;
segment_reader::~segment_reader() = default;

segment_reader segment_reader::attach(const std::string& name) {
  auto p = std::make_unique<impl>();
  p->name = name;
  p->map = open_checked(name, bip::read_only);
  return segment_reader(std::move(p));
}

const std::string& segment_reader::name() const noexcept {
  return impl_->name;
}
const segment_header& segment_reader::header() const noexcept {
  return impl_->header();
}

const process_entry& segment_reader::process(std::uint32_t index) const {
  const geometry& g = impl_->map.tables;
  return entry<const process_entry>(const_cast<std::byte*>(impl_->base()), g.process_table, index,
                                    g.processes, "process");
}
const channel_entry& segment_reader::channel(std::uint32_t index) const {
  const geometry& g = impl_->map.tables;
  return entry<const channel_entry>(const_cast<std::byte*>(impl_->base()), g.channel_table, index,
                                    g.channels, "channel");
}
const lane_entry& segment_reader::lane(std::uint32_t process, std::uint32_t lane) const {
  const geometry& g = impl_->map.tables;
  return entry<const lane_entry>(const_cast<std::byte*>(impl_->base()), g.lane_table,
                                 lane_index(g, process, lane),
                                 std::uint64_t{g.processes} * g.lanes_per_process, "lane");
}

std::uint64_t segment_reader::ring_fill(const ring_ref& ref) const noexcept {
  const ring_ref r = ref;  // read once: it lives in the segment
  if (!validate_ring_ref(impl_->base(), impl_->map.tables.total_size, r, "ring").empty()) return 0;
  const auto* control = reinterpret_cast<const ring_control*>(impl_->base() + r.offset);
  // A snapshot for display; it publishes nothing, so relaxed suffices.
  const std::uint64_t head = control->head.load(std::memory_order_relaxed);
  const std::uint64_t tail = control->tail.load(std::memory_order_relaxed);
  return tail > head ? tail - head : 0;
}

// ---- finding systems -------------------------------------------------------------

namespace {

/// The creator's start time as the header of segment file `path` records it,
/// read without mapping; 0 (unknown: the pid alone decides) if the header is
/// short, of another layout or names another creator.
std::uint64_t recorded_start_ticks(const std::filesystem::path& path, std::int32_t pid) {
  std::byte bytes[sizeof(segment_header)];
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return 0;
  const ssize_t got = ::pread(fd, bytes, sizeof bytes, 0);
  ::close(fd);
  if (got != static_cast<ssize_t>(sizeof bytes)) return 0;
  const auto field = [&]<class T>(std::size_t offset, T value) {
    std::memcpy(&value, bytes + offset, sizeof value);
    return value;
  };
  if (field(offsetof(segment_header, magic), std::uint64_t{}) != segment_magic ||
      field(offsetof(segment_header, layout_version), std::uint32_t{}) != layout_version ||
      field(offsetof(segment_header, creator_pid), std::int32_t{}) != pid)
    return 0;
  return field(offsetof(segment_header, creator_start_ticks), std::uint64_t{});
}

}  // namespace

std::vector<system_info> list_systems() {
  std::vector<system_info> found;
  std::error_code ec;
  for (const auto& file : std::filesystem::directory_iterator("/dev/shm", ec)) {
    const std::string name = file.path().filename().string();
    const auto pid = creator_from_name(name);
    if (!pid) continue;
    // /dev/shm is writable by everyone: a file named like ours but owned by
    // another user (or not a plain file) is none of our systems.
    struct stat st {};
    if (::lstat(file.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != ::geteuid()) {
      continue;
    }
    system_info info;
    info.segment_name = name;
    info.creator_pid = *pid;
    info.creator_alive = process_alive(*pid, recorded_start_ticks(file.path(), *pid));
    if (info.creator_alive) {
      try {
        auto reader = segment_reader::attach(name);
        const auto& h = reader.header();
        info.system_name = std::string(h.system_name, ::strnlen(h.system_name, name_capacity));
        info.created_micros = h.created_micros;
        info.process_count = h.process_count;
      } catch (const std::exception& e) {
        info.problem = e.what();
      }
    } else {
      info.problem = process_alive(*pid)
                         ? "stale: creator is dead (its pid now names another process)"
                         : "stale: creator is dead";
    }
    found.push_back(std::move(info));
  }
  return found;
}

std::vector<std::string> remove_stale_segments() {
  std::vector<std::string> removed;
  for (const auto& info : list_systems()) {
    // Check again right before removing: never touch a live creator's segment.
    const auto path = std::filesystem::path("/dev/shm") / info.segment_name;
    if (!process_alive(info.creator_pid, recorded_start_ticks(path, info.creator_pid)) &&
        bip::shared_memory_object::remove(info.segment_name.c_str())) {
      removed.push_back(info.segment_name);
    }
  }
  return removed;
}

}  // namespace weft::shm
