#pragma once
// The event codec. A domain event is a plain struct; one line declares its
// topic and the fields that go on the wire, in order:
//
//   struct OrderCreated { weft::uuid order_id; std::int64_t amount = 0; };
//   WEFT_EVENT(OrderCreated, "shop.OrderCreated", order_id, amount);
//
// (at namespace scope, in the struct's namespace). The state bytes are a
// msgpack array of the fields. Versioning: a decoder keeps the defaults of
// fields missing at the end (an older writer) and ignores extra fields at the
// end (a newer writer), so event types may gain fields at the end.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeindex>
#include <utility>

#include <msgpack.hpp>

#include "weft/core/error.hpp"
#include "weft/es/detail/field_reader.hpp"
#include "weft/es/detail/for_each.hpp"
#include "weft/es/detail/recycled_events.hpp"
#include "weft/es/msgpack_uuid.hpp"
#include "weft/es/stored_event.hpp"
#include "weft/es/topic_registry.hpp"

namespace weft::es {

/// What WEFT_EVENT declares: the topic and the fields (pointers to members) in wire order.
template <class Members, std::size_t N>
struct event_schema {
  std::string_view topic;
  Members members;
  std::array<std::string_view, N> names;
};

template <class... Members, class... Names>
constexpr auto make_event_schema(std::string_view topic, std::tuple<Members...> members,
                                 Names... names) {
  static_assert(sizeof...(Members) == sizeof...(Names));
  return event_schema<std::tuple<Members...>, sizeof...(Members)>{
      topic, members, {std::string_view(names)...}};
}

/// A type declared with WEFT_EVENT.
template <class E>
concept domain_event = requires {
  weft_event_schema(static_cast<const E*>(nullptr));
};

template <domain_event E>
inline constexpr auto schema_of = weft_event_schema(static_cast<const E*>(nullptr));

template <domain_event E>
inline constexpr std::string_view topic_of = schema_of<E>.topic;

namespace detail {

/// msgpack's packer stream: collects the encoding on the stack and appends it
/// to an event's state bytes at once (one exact allocation for small events).
class byte_sink {
 public:
  explicit byte_sink(bytes& out) noexcept : out_(out) {}
  byte_sink(const byte_sink&) = delete;
  byte_sink& operator=(const byte_sink&) = delete;

  void write(const char* data, std::size_t size) {
    if (overflow_.empty() && used_ + size <= sizeof(inline_)) {
      std::memcpy(inline_ + used_, data, size);
      used_ += size;
      return;
    }
    if (overflow_.empty()) overflow_.assign(inline_, inline_ + used_);
    overflow_.insert(overflow_.end(), data, data + size);
  }
  /// Writes the first `size` of `data`'s N bytes. Copying all N, a constant,
  /// compiles to a few moves where write() calls memcpy.
  template <std::size_t N>
  void write_prefix(const std::uint8_t (&data)[N], std::size_t size) {
    if (overflow_.empty() && used_ + N <= sizeof(inline_)) [[likely]] {
      std::memcpy(inline_ + used_, data, N);
      used_ += size;
      return;
    }
    write(reinterpret_cast<const char*>(data), size);
  }
  /// Appends what was written to the bytes.
  void finish() {
    if (overflow_.empty())
      out_.insert(out_.end(), reinterpret_cast<const std::uint8_t*>(inline_),
                  reinterpret_cast<const std::uint8_t*>(inline_) + used_);
    else
      out_.insert(out_.end(), overflow_.begin(), overflow_.end());
  }

 private:
  bytes& out_;
  std::size_t used_ = 0;
  char inline_[240];
  std::vector<std::uint8_t> overflow_;
};

/// Big-endian `size` (1 to 8) bytes of `value` at `out`, which has room for 8.
inline void put_big_endian(std::uint8_t* out, std::uint64_t value, std::size_t size) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    // One store of all eight bytes, the wanted ones first.
    const std::uint64_t shifted = __builtin_bswap64(value << (64 - 8 * size));
    std::memcpy(out, &shifted, 8);
  } else {
    for (std::size_t i = 0; i < size; ++i)
      out[i] = static_cast<std::uint8_t>(value >> (8 * (size - 1 - i)));
  }
}

/// msgpack of an integer in its shortest form, as msgpack-cxx writes it
/// (non-negative values in the unsigned forms), at `out`, which has room for
/// 9 bytes; returns the size (at most 9).
inline std::size_t encode_integer_at(std::uint8_t* out, std::uint64_t bits,
                                     bool negative) noexcept {
  if (!negative) {
    if (bits < 0x80) {
      out[0] = static_cast<std::uint8_t>(bits);
      return 1;
    }
    const std::size_t size = bits < 0x100 ? 1 : bits < 0x10000 ? 2 : bits < 0x100000000 ? 4 : 8;
    out[0] = static_cast<std::uint8_t>(size == 1   ? 0xcc
                                       : size == 2 ? 0xcd
                                       : size == 4 ? 0xce
                                                   : 0xcf);
    put_big_endian(out + 1, bits, size);
    return 1 + size;
  }
  const auto value = static_cast<std::int64_t>(bits);
  if (value >= -32) {
    out[0] = static_cast<std::uint8_t>(bits);  // negative fixint
    return 1;
  }
  const std::size_t size = value >= -0x80           ? 1
                           : value >= -0x8000       ? 2
                           : value >= -0x80000000LL ? 4
                                                    : 8;
  out[0] = static_cast<std::uint8_t>(size == 1 ? 0xd0 : size == 2 ? 0xd1 : size == 4 ? 0xd2 : 0xd3);
  put_big_endian(out + 1, bits, size);
  return 1 + size;
}

inline std::size_t encode_integer(std::uint8_t (&out)[9], std::uint64_t bits,
                                  bool negative) noexcept {
  return encode_integer_at(out, bits, negative);
}

/// The most bytes a field of type T takes, for the types written here byte
/// for byte (booleans, integers, uuids); 0 for the others.
template <class T>
inline constexpr std::size_t fixed_field_max = std::is_same_v<T, bool>   ? 1
                                               : std::is_integral_v<T>   ? 9
                                               : std::is_same_v<T, uuid> ? 18
                                                                         : 0;

/// One field of a fixed_field_max type at `at`, which has room for its
/// maximum; returns the position after it.
template <class T>
std::uint8_t* put_fixed_field(std::uint8_t* at, const T& value) noexcept {
  if constexpr (std::is_same_v<T, bool>) {
    *at = static_cast<std::uint8_t>(value ? 0xc3 : 0xc2);
    return at + 1;
  } else if constexpr (std::is_integral_v<T>) {
    const bool negative = std::is_signed_v<T> && value < 0;
    return at + encode_integer_at(at, static_cast<std::uint64_t>(value), negative);
  } else {
    static_assert(std::is_same_v<T, uuid>);
    at[0] = 0xd8;  // fixext 16
    at[1] = static_cast<std::uint8_t>(msgpack_uuid_ext);
    std::memcpy(at + 2, value.bytes.data(), 16);
    return at + 18;
  }
}

/// One field into the sink: the types events mostly hold (integers,
/// booleans, uuids) written here byte for byte as msgpack-cxx would write
/// them, without its call per piece; any other type through `packer`.
template <class T>
void pack_field(byte_sink& sink, msgpack::packer<byte_sink>& packer, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    const std::uint8_t tag[1] = {static_cast<std::uint8_t>(value ? 0xc3 : 0xc2)};
    sink.write_prefix(tag, 1);
  } else if constexpr (std::is_integral_v<T>) {
    std::uint8_t encoded[9] = {};
    const bool negative = std::is_signed_v<T> && value < 0;
    sink.write_prefix(encoded,
                      encode_integer(encoded, static_cast<std::uint64_t>(value), negative));
  } else if constexpr (std::is_same_v<T, uuid>) {
    std::uint8_t encoded[18] = {0xd8, static_cast<std::uint8_t>(msgpack_uuid_ext)};  // fixext 16
    std::memcpy(encoded + 2, value.bytes.data(), 16);
    sink.write_prefix(encoded, 18);
  } else {
    packer.pack(value);
  }
}

template <domain_event E, std::size_t... I>
void read_fields(field_reader& reader, E& out, std::index_sequence<I...>) {
  constexpr const auto& schema = schema_of<E>;
  const std::uint32_t present = reader.array_size();
  ((I < present ? reader.read(out.*std::get<I>(schema.members), schema.names[I]) : void()), ...);
  // Fields beyond ours come from a newer writer: ignore them.
  if (present <= sizeof...(I)) reader.finish();
}

/// Parses state bytes into a msgpack array held by this thread's reused zone
/// (valid until the thread's next parse). Throws weft::decode_error naming the topic.
const msgpack::object& parse_array(std::string_view topic, std::span<const std::uint8_t> state);

[[noreturn]] void throw_bad_field(std::string_view topic, std::string_view field,
                                  const msgpack::object& value);

template <domain_event E>
bool register_event();

template <class E, class Member>
using member_type_t =
    std::remove_cvref_t<decltype(std::declval<const E&>().*std::declval<Member>())>;

template <class E, class... Members>
constexpr std::size_t fixed_event_max(const std::tuple<Members...>*) {
  constexpr bool all_fixed = ((0 < fixed_field_max<member_type_t<E, Members>>)&&...);
  if constexpr (sizeof...(Members) < 16 && all_fixed)
    return (std::size_t{1} + ... + fixed_field_max<member_type_t<E, Members>>);  // + fixarray
  else
    return 0;
}

/// The most bytes E's encoding takes when every field is of a type written
/// byte for byte here and there are fewer than 16 of them; 0 otherwise.
template <domain_event E>
inline constexpr std::size_t fixed_event_max_size = fixed_event_max<E>(
    static_cast<const std::remove_cvref_t<decltype(schema_of<E>.members)>*>(nullptr));

}  // namespace detail

/// Appends the encoded fields of `event` to `out`.
template <domain_event E>
void encode_into(const E& event, bytes& out) {
  constexpr const auto& schema = schema_of<E>;
  if constexpr (constexpr std::size_t max = detail::fixed_event_max_size<E>; max > 0) {
    // Every field of a known size: written straight into a buffer of the
    // most it can take, no sink, no checks between fields.
    std::uint8_t encoded[max];
    std::uint8_t* at = encoded;
    *at++ = static_cast<std::uint8_t>(0x90 | schema.names.size());  // fixarray
    std::apply([&](auto... member) { ((at = detail::put_fixed_field(at, event.*member)), ...); },
               schema.members);
    // assign() into an empty buffer (store_into's) costs a third of an insert().
    if (out.empty())
      out.assign(encoded, at);
    else
      out.insert(out.end(), encoded, at);
  } else {
    detail::byte_sink sink(out);
    msgpack::packer<detail::byte_sink> packer(sink);
    if constexpr (schema.names.size() < 16) {
      const std::uint8_t header[1] = {static_cast<std::uint8_t>(0x90 | schema.names.size())};
      sink.write_prefix(header, 1);  // fixarray
    } else {
      packer.pack_array(static_cast<std::uint32_t>(schema.names.size()));
    }
    std::apply([&](auto... member) { (detail::pack_field(sink, packer, event.*member), ...); },
               schema.members);
    sink.finish();
  }
}

template <domain_event E>
bytes encode(const E& event) {
  bytes out;
  encode_into(event, out);
  return out;
}

/// Writes the event as it is recorded, under its topic, over `out`, reusing
/// its buffers (or, without a state buffer, one this thread recorded before).
template <domain_event E>
void store_into(const E& event, const uuid& originator_id, std::uint64_t version,
                stored_event& out) {
  out.originator_id = originator_id;
  out.originator_version = version;
  out.topic.clear();  // then append: assign() handles overlapping text, at twice the cost
  out.topic.append(topic_of<E>);
  if (out.state.capacity() == 0)
    out.state = detail::take_recycled_state();
  else
    out.state.clear();
  encode_into(event, out.state);
}

/// The event as it is recorded, under its topic.
template <domain_event E>
stored_event to_stored(const E& event, const uuid& originator_id, std::uint64_t version) {
  stored_event out;
  store_into(event, originator_id, version, out);
  return out;
}

/// Decodes `state` into `out` (fields missing at the end keep their values).
/// Throws weft::decode_error naming the topic (and the field, if one is bad).
template <domain_event E>
void decode_into(std::span<const std::uint8_t> state, E& out) {
  detail::field_reader reader(topic_of<E>, state);
  detail::read_fields(reader, out, std::make_index_sequence<schema_of<E>.names.size()>{});
}

/// Decodes a stored event known to be an E; a different topic is a weft::decode_error.
template <domain_event E>
E decode(const stored_event& event) {
  if (event.topic != topic_of<E>)
    throw decode_error("expected an event of topic '" + std::string(topic_of<E>) + "', got '" +
                       event.topic + "'");
  E out{};
  decode_into(event.state, out);
  return out;
}

template <domain_event E>
bool detail::register_event() {
  constexpr const auto& schema = schema_of<E>;
  topic_entry entry{
      std::string(schema.topic), typeid(E), {}, [](std::span<const std::uint8_t> state) {
        auto out = std::make_shared<E>();
        decode_into(state, *out);
        return std::shared_ptr<const void>(std::move(out));
      }};
  for (auto name : schema.names) entry.fields.emplace_back(name);
  topic_registry::global().add(std::move(entry));
  return true;
}

}  // namespace weft::es

#define WEFT_DETAIL_EVENT_MEMBER(T, field) &T::field
#define WEFT_DETAIL_EVENT_NAME(T, field) #field

/// Declares `Type` a domain event with `Topic` and its wire fields, and
/// registers it in the global topic registry at start-up. Namespace scope.
#define WEFT_EVENT(Type, Topic, ...)                                                               \
  constexpr auto weft_event_schema(const Type*) {                                                  \
    return ::weft::es::make_event_schema(                                                          \
        Topic, std::make_tuple(                                                                    \
                   __VA_OPT__(WEFT_DETAIL_FOR_EACH(WEFT_DETAIL_EVENT_MEMBER, Type, __VA_ARGS__)))  \
                   __VA_OPT__(, WEFT_DETAIL_FOR_EACH(WEFT_DETAIL_EVENT_NAME, Type, __VA_ARGS__))); \
  }                                                                                                \
  inline const bool weft_event_registered_##Type = ::weft::es::detail::register_event<Type>()
