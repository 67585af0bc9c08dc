// Streams per verdict with the stages they reached and the busiest server ports and addresses of
// each verdict: the numbers behind `-z tcpdiag,summary` and the GUI's statistics dialog.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stream_state.h"
#include "verdict.h"

namespace tcpdiag {

// Counts per key, ranked. Counts go up and down (a stream can move to another verdict while a
// single pass reads it), so the ranking is kept ordered instead of recomputed.
class Ranking {
  public:
    void add(const std::string &key, int delta);
    // The `n` highest counts, ties by key; zero counts are left out.
    std::vector<std::pair<std::string, uint32_t>> top(size_t n) const;
    void clear();

  private:
    std::unordered_map<std::string, uint32_t> counts_;
    // (count, key), iterated from the highest count down
    std::set<std::pair<uint32_t, std::string>, std::greater<>> ranked_;
};

class VerdictSummary {
  public:
    static constexpr size_t kVerdicts = static_cast<size_t>(kLastVerdict) + 1;

    // Counts the stream under `verdict` and the stage it has reached, moving it from where it was
    // counted before. Returns false when it was counted there already; `left` is the verdict it
    // moved from (the same verdict when only its stage moved; Undecided for a stream not counted
    // before).
    bool place(const StreamState &stream, Verdict verdict, Verdict &left);

    uint32_t streams(Verdict verdict) const { return of(verdict).streams; }
    // "exchange (12), request (3)": the stages (tcpdiag.stage) the streams of this verdict reached.
    std::string stages(Verdict verdict) const;
    // "443 (12), 80 (3)": the server ports ("53/udp" for UDP) with the most streams of this verdict.
    std::string busiest_ports(Verdict verdict, size_t n = 3) const;
    // "10.0.0.1 (12), fd00::1 (3)"
    std::string busiest_addresses(Verdict verdict, size_t n = 3) const;
    void clear();

  private:
    struct PerVerdict {
        uint32_t streams = 0;
        Ranking ports, addresses, stages;
    };
    struct Placed {
        Verdict verdict;
        const char *stage;          // a static name from StreamState::stage()
        std::string port, address;  // the keys it was counted under
    };
    PerVerdict &of(Verdict v) { return per_verdict_[static_cast<size_t>(v)]; }
    const PerVerdict &of(Verdict v) const { return per_verdict_[static_cast<size_t>(v)]; }
    void count(const Placed &placed, int delta);

    PerVerdict per_verdict_[kVerdicts];
    std::map<std::pair<int, uint32_t>, Placed> placed_;  // (transport, stream index)
};

}  // namespace tcpdiag
