// Hashing a 64-bit word at a time, for the hashes taken on every segment: a byte at a time costs
// several times more.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tcpdiag {

// Folds one word into `h` with a multiply; the high half is folded back so the low bits depend
// on all of it.
inline uint64_t hash_word(uint64_t h, uint64_t word) {
    h = (h ^ word) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 32);
}

// Folds `len` bytes into `h`, eight at a time; the last few padded with zeros (callers that hash
// bytes of varying length fold the length in too).
inline uint64_t hash_bytes(uint64_t h, const uint8_t *bytes, size_t len) {
    uint64_t word;
    for (; len >= sizeof word; bytes += sizeof word, len -= sizeof word) {
        std::memcpy(&word, bytes, sizeof word);
        h = hash_word(h, word);
    }
    if (len == 0) return h;
    word = 0;
    std::memcpy(&word, bytes, len);
    return hash_word(h, word);
}

}  // namespace tcpdiag
