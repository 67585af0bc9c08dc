#include "summary.h"

#include <cstring>

namespace tcpdiag {

void Ranking::add(const std::string &key, int delta) {
    uint32_t &count = counts_[key];
    if (count) ranked_.erase({count, key});
    count = static_cast<uint32_t>(static_cast<int64_t>(count) + delta);
    if (count)
        ranked_.insert({count, key});
    else
        counts_.erase(key);
}

std::vector<std::pair<std::string, uint32_t>> Ranking::top(size_t n) const {
    // The set orders equal counts by key descending; collect a whole tie run, then order it by key.
    std::vector<std::pair<std::string, uint32_t>> out;
    for (auto it = ranked_.begin(); it != ranked_.end() && out.size() < n;) {
        const uint32_t count = it->first;
        std::vector<std::string> tied;
        for (; it != ranked_.end() && it->first == count; ++it) tied.push_back(it->second);
        for (auto k = tied.rbegin(); k != tied.rend() && out.size() < n; ++k) out.emplace_back(*k, count);
    }
    return out;
}

void Ranking::clear() {
    counts_.clear();
    ranked_.clear();
}

namespace {

constexpr size_t kStages = 5;  // handshake, established, request, greeting, exchange: all of them

std::string port_key(const StreamState &stream) {
    std::string key = std::to_string(stream.server().port);
    if (stream.transport == Transport::Udp) key += "/udp";
    return key;
}

std::string listing(const std::vector<std::pair<std::string, uint32_t>> &top) {
    std::string out;
    for (const auto &entry : top) {
        if (!out.empty()) out += ", ";
        out += entry.first + " (" + std::to_string(entry.second) + ")";
    }
    return out;
}

}  // namespace

void VerdictSummary::count(const Placed &placed, int delta) {
    PerVerdict &v = of(placed.verdict);
    v.streams = static_cast<uint32_t>(static_cast<int64_t>(v.streams) + delta);
    v.ports.add(placed.port, delta);
    v.addresses.add(placed.address, delta);
    v.stages.add(placed.stage, delta);
}

bool VerdictSummary::place(const StreamState &stream, Verdict verdict, Verdict &left) {
    left = Verdict::Undecided;
    const auto key = std::make_pair(static_cast<int>(stream.transport), stream.index);
    const char *stage = stream.stage();
    auto it = placed_.find(key);
    if (it != placed_.end()) {
        if (it->second.verdict == verdict && std::strcmp(it->second.stage, stage) == 0) return false;
        left = it->second.verdict;
        count(it->second, -1);
        placed_.erase(it);
    }
    Placed placed{verdict, stage, port_key(stream), to_string(stream.server().address)};
    count(placed, +1);
    placed_.emplace(key, std::move(placed));
    return true;
}

std::string VerdictSummary::busiest_ports(Verdict verdict, size_t n) const {
    return listing(of(verdict).ports.top(n));
}

std::string VerdictSummary::busiest_addresses(Verdict verdict, size_t n) const {
    return listing(of(verdict).addresses.top(n));
}

std::string VerdictSummary::stages(Verdict verdict) const {
    return listing(of(verdict).stages.top(kStages));
}

void VerdictSummary::clear() {
    for (PerVerdict &v : per_verdict_) {
        v.streams = 0;
        v.ports.clear();
        v.addresses.clear();
        v.stages.clear();
    }
    placed_.clear();
}

}  // namespace tcpdiag
