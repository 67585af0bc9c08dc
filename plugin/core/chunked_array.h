// An array that grows in fixed blocks instead of doubling: a vector that doubles holds up to
// twice what it uses (a third more on average), which for a per-frame table is most of its cost.
// Elements never move, and growing copies nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace tcpdiag {

template <typename T, unsigned kBlockBits = 12>
class ChunkedArray {
  public:
    static constexpr size_t kBlock = size_t{1} << kBlockBits;

    size_t size() const { return size_; }
    const T &operator[](size_t i) const { return blocks_[i >> kBlockBits][i & (kBlock - 1)]; }
    T &operator[](size_t i) { return blocks_[i >> kBlockBits][i & (kBlock - 1)]; }

    void push_back(const T &value) {
        if ((size_ & (kBlock - 1)) == 0 && (size_ >> kBlockBits) == blocks_.size()) blocks_.emplace_back(new T[kBlock]);
        (*this)[size_++] = value;
    }

  private:
    std::vector<std::unique_ptr<T[]>> blocks_;
    size_t size_ = 0;
};

}  // namespace tcpdiag
