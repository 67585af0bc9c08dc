// A hash table of 32-bit ids whose keys live elsewhere (in the objects the ids name), with open
// addressing: 4 bytes a slot, where a std::unordered_map entry costs a node of 50 bytes or more.
// The caller gives the key's hash and how to recognise it; the table never stores keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tcpdiag {

class IdTable {
  public:
    static constexpr uint32_t kNone = UINT32_MAX;  // marks a free slot, so it cannot be stored

    // The id under `hash` for which `is_key(id)` holds, or kNone.
    template <typename IsKey>
    uint32_t find(size_t hash, IsKey is_key) const {
        if (slots_.empty()) return kNone;
        for (size_t i = start(hash);; i = next(i)) {
            if (slots_[i] == kNone || is_key(slots_[i])) return slots_[i];
        }
    }

    // Stores `id` under `hash`, replacing the id for which `is_key(id)` holds if there is one.
    // `hash_of(id)` gives the hash of a stored id again when the table grows.
    template <typename IsKey, typename HashOf>
    void put(size_t hash, uint32_t id, IsKey is_key, HashOf hash_of) {
        if (id == kNone) return;
        if ((used_ + 1) * 2 > slots_.size()) grow(hash_of);  // at most half full: short probes
        for (size_t i = start(hash);; i = next(i)) {
            if (slots_[i] != kNone && !is_key(slots_[i])) continue;
            if (slots_[i] == kNone) ++used_;
            slots_[i] = id;
            return;
        }
    }

    size_t size() const { return used_; }

  private:
    // Linear probing over a power-of-two table; the hash's high half is folded in because the
    // low bits alone pick the slot.
    size_t start(size_t hash) const { return (hash ^ (static_cast<uint64_t>(hash) >> 32)) & (slots_.size() - 1); }
    size_t next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

    template <typename HashOf>
    void grow(HashOf hash_of) {
        std::vector<uint32_t> old(slots_.empty() ? 16 : slots_.size() * 2, kNone);
        old.swap(slots_);
        for (uint32_t id : old) {
            if (id == kNone) continue;
            size_t i = start(hash_of(id));
            while (slots_[i] != kNone) i = next(i);
            slots_[i] = id;
        }
    }

    std::vector<uint32_t> slots_;
    size_t used_ = 0;
};

}  // namespace tcpdiag
