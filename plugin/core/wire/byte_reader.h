// Bounds-checked big-endian reads over captured bytes: every decoder in tcpdiag reads through it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tcpdiag {

struct Bytes {
    const uint8_t *data = nullptr;
    size_t len = 0;

    bool has(size_t offset, size_t n) const { return offset <= len && n <= len - offset; }
    uint8_t u8(size_t o) const { return data[o]; }
    uint16_t be16(size_t o) const { return static_cast<uint16_t>(data[o] << 8 | data[o + 1]); }
    uint32_t be32(size_t o) const {
        return uint32_t(data[o]) << 24 | uint32_t(data[o + 1]) << 16 | uint32_t(data[o + 2]) << 8 | data[o + 3];
    }
    uint32_t le32(size_t o) const {
        return uint32_t(data[o + 3]) << 24 | uint32_t(data[o + 2]) << 16 | uint32_t(data[o + 1]) << 8 | data[o];
    }
};

}  // namespace tcpdiag
