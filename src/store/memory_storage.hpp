#pragma once
// Storage the memory recorder builds its log from: records in stable chunks,
// state bytes in an arena, and zeroed arrays for its hash table. Internal to
// weft_store; none of it is thread-safe (the recorder's lock guards it).
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/es/recorder.hpp"

namespace weft::store::memory {

// Append-only storage in chunks of 4096 records: stable, and cheap to grow.
template <class T>
class chunked_log {
 public:
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return chunks_[i >> shift][i & (chunk - 1)]; }
  const T& operator[](std::size_t i) const noexcept { return chunks_[i >> shift][i & (chunk - 1)]; }
  // The next record, allocated first: a failed allocation changes nothing.
  // Chunks are not cleared: pages are touched once, when records are written.
  T& grow_one() {
    if ((size_ >> shift) == chunks_.size())
      chunks_.push_back(std::make_unique_for_overwrite<T[]>(chunk));
    return (*this)[size_++];
  }
  // Forgets the records from `n` on; their chunks are kept for the next ones.
  void truncate(std::size_t n) noexcept { size_ = n; }

 private:
  static constexpr std::size_t shift = 12;
  static constexpr std::size_t chunk = std::size_t{1} << shift;
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

// The events' state bytes, appended back to back in chunks of 1 MiB; a state
// that does not fit the rest of a chunk starts the next one (a larger one gets
// a chunk of its own). Copies never move.
class byte_arena {
 public:
  struct mark {
    std::size_t chunks, used, capacity;
  };

  const std::uint8_t* copy(const es::bytes& state) {
    if (state.empty()) return nullptr;
    if (state.size() > capacity_ - used_) {
      capacity_ = std::max(chunk, state.size());
      chunks_.push_back(std::make_unique_for_overwrite<std::uint8_t[]>(capacity_));
      used_ = 0;
    }
    std::uint8_t* out = chunks_.back().get() + used_;
    std::memcpy(out, state.data(), state.size());
    used_ += state.size();
    return out;
  }
  [[nodiscard]] mark position() const noexcept { return {chunks_.size(), used_, capacity_}; }
  // Forgets what was copied since `m`.
  void rewind(const mark& m) noexcept {
    while (chunks_.size() > m.chunks) chunks_.pop_back();
    used_ = m.used;
    capacity_ = m.capacity;
  }

 private:
  static constexpr std::size_t chunk = std::size_t{1} << 20;
  std::vector<std::unique_ptr<std::uint8_t[]>> chunks_;
  std::size_t used_ = 0, capacity_ = 0;
};

// A fixed number of T in zeroed memory (T is trivially copyable and all-zero
// means empty). Big arrays are mapped and ask for transparent huge pages: the
// originator table is probed at random all over, and with 4 KiB pages each
// probe of a big table is a TLB miss and each first touch a page fault.
template <class T>
class zeroed_array {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  zeroed_array() = default;
  explicit zeroed_array(std::size_t count) : size_(count), bytes_(count * sizeof(T)) {
    if (bytes_ >= huge_page) {
      void* mapped =
          ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (mapped == MAP_FAILED) throw std::bad_alloc();
      ::madvise(mapped, bytes_, MADV_HUGEPAGE);  // advice: without it, small pages
      data_ = static_cast<T*>(mapped);
    } else {
      data_ = static_cast<T*>(std::calloc(count, sizeof(T)));
      if (data_ == nullptr) throw std::bad_alloc();
    }
  }
  zeroed_array(const zeroed_array&) = delete;
  zeroed_array& operator=(const zeroed_array&) = delete;
  ~zeroed_array() {
    if (data_ == nullptr) return;
    if (bytes_ >= huge_page)
      ::munmap(data_, bytes_);
    else
      std::free(data_);
  }
  void swap(zeroed_array& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(bytes_, other.bytes_);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }

 private:
  static constexpr std::size_t huge_page = std::size_t{2} << 20;
  T* data_ = nullptr;
  std::size_t size_ = 0, bytes_ = 0;
};

}  // namespace weft::store::memory
