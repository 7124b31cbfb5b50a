#pragma once
// weft::uuid as a msgpack value: extension type 1 with the 16 raw bytes
// (fixext16, 18 bytes on the wire). An extension type rather than bin keeps
// the encoding self-describing, so tools can print ids without the C++ type.
#include <cstring>

#include <msgpack.hpp>

#include "weft/core/uuid.hpp"

namespace weft::es {
inline constexpr std::int8_t msgpack_uuid_ext = 1;
}  // namespace weft::es

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {

  template <>
  struct pack<weft::uuid> {
    template <class Stream>
    packer<Stream>& operator()(packer<Stream>& out, const weft::uuid& id) const {
      out.pack_ext(16, weft::es::msgpack_uuid_ext);
      out.pack_ext_body(reinterpret_cast<const char*>(id.bytes.data()), 16);
      return out;
    }
  };

  template <>
  struct convert<weft::uuid> {
    const msgpack::object& operator()(const msgpack::object& in, weft::uuid& id) const {
      if (in.type != msgpack::type::EXT || in.via.ext.size != 16 ||
          in.via.ext.type() != weft::es::msgpack_uuid_ext)
        throw msgpack::type_error();
      std::memcpy(id.bytes.data(), in.via.ext.data(), 16);
      return in;
    }
  };

  }  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
