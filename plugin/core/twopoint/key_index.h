// Packets by a 64-bit key, in one sorted array: compact for millions of packets.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace tcpdiag {

class KeyIndex {
  public:
    void add(uint64_t key, uint32_t packet) { entries_.emplace_back(key, packet); }
    // Call once after the last add; packets of one key stay in the order they were added.
    void seal() {
        std::stable_sort(entries_.begin(), entries_.end(), [](auto &a, auto &b) { return a.first < b.first; });
    }

    // [first, last) over the packets with this key.
    std::pair<const std::pair<uint64_t, uint32_t> *, const std::pair<uint64_t, uint32_t> *> find(uint64_t key) const {
        auto lo = std::lower_bound(entries_.begin(), entries_.end(), key,
                                   [](const std::pair<uint64_t, uint32_t> &e, uint64_t k) { return e.first < k; });
        auto hi = std::upper_bound(lo, entries_.end(), key,
                                   [](uint64_t k, const std::pair<uint64_t, uint32_t> &e) { return k < e.first; });
        return {entries_.data() + (lo - entries_.begin()), entries_.data() + (hi - entries_.begin())};
    }

  private:
    std::vector<std::pair<uint64_t, uint32_t>> entries_;
};

}  // namespace tcpdiag
