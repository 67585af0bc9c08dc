// Streams that have seen only SYNs (and the RST refusing them) are kept in brief form: they must
// give back exactly what a full StreamState holds, on every path a packet can take.
#include <catch2/catch_test_macros.hpp>

#include <random>
#include <string>
#include <vector>

#include "brief_stream.h"
#include "explain.h"
#include "report.h"
#include "stream_builder.h"

using namespace tcpdiag;
using tcpdiag::test::StreamBuilder;

namespace {

// Whether the brief form takes the stream, and gives it back whole when it does.
bool brief_round_trip(const StreamState &st) {
    BriefStream brief;
    if (!make_brief(st, brief)) return false;
    AddressPair pair;
    StreamState again;
    expand(brief, st.index, pair, again);
    CHECK(same_state(st, again));
    return true;
}

}  // namespace

TEST_CASE("SYNs and the RST refusing them fit the brief form; an answer or an odd RST does not") {
    const auto shape = [](auto build) {
        Analyzer a;
        StreamBuilder s(a);
        build(s);
        return brief_round_trip(tcpdiag::test::stream_of(a));
    };
    CHECK(shape([](StreamBuilder &s) { s.syn(); }));
    CHECK(shape([](StreamBuilder &s) {
        s.syn();
        s.after(1).syn_retransmission();
        s.after(2).syn_retransmission();
    }));
    CHECK(shape([](StreamBuilder &s) {
        s.syn();
        s.rst(Side::Server);
    }));
    CHECK(shape([](StreamBuilder &s) {
        s.syn();
        s.rst(Side::Server, false, 57);
    }));
    CHECK_FALSE(shape([](StreamBuilder &s) {
        s.syn();
        s.synack();
    }));
    CHECK_FALSE(shape([](StreamBuilder &s) {
        s.syn();
        s.rst(Side::Client);
    }));
    CHECK_FALSE(shape([](StreamBuilder &s) {
        s.syn();
        s.rst(Side::Server);
        s.rst(Side::Server);
    }));
    CHECK_FALSE(shape([](StreamBuilder &s) {
        s.syn();
        s.copy_of_last();  // a duplicate: a capture flaw the brief form does not keep
    }));
    CHECK_FALSE(shape([](StreamBuilder &s) {
        s.syn();
        s.after(3 * 3600).syn_retransmission();  // past the 71 minutes its times can span
    }));
}

TEST_CASE("a stream kept brief gives the same verdicts, counts, texts and frame events as a full one") {
    // The same random packets twice: over IPv4, where SYN-only streams are kept brief, and over
    // IPv6, which the brief form never holds. Everything but the addresses must agree.
    std::mt19937 random(7);
    const auto pick = [&random](uint32_t n) { return static_cast<uint32_t>(random() % n); };
    constexpr uint32_t kStreams = 400;
    struct Step {
        uint32_t stream;
        int kind;
        int64_t gap_us;
        uint32_t frame_gap;
        uint8_t ttl;
        uint16_t mss;
        uint32_t signature;
    };
    std::vector<Step> steps;
    for (uint32_t round = 0; round < 7; ++round)
        for (uint32_t i = 0; i < kStreams; ++i)
            if (round == 0 || (round <= i % 7 && pick(3)))  // up to 6 packets after the first SYN
                // Now and then the clock steps back, or jumps past the 71 minutes a brief stream's
                // times can span, or the frames past the 65,535 its frames can.
                steps.push_back({i, round == 0 ? 0 : static_cast<int>(pick(12)),
                                 pick(1000) == 0 ? int64_t{5000} * 1000000 : int64_t{pick(3000)} - 200,
                                 pick(1000) == 0 ? 70000u : 0u, static_cast<uint8_t>(pick(3) ? 64 : pick(2) * 50),
                                 static_cast<uint16_t>(pick(2) * 1460), static_cast<uint32_t>(random())});

    // How many streams end brief, and how many were brief before a packet made them full.
    size_t ended_brief = 0, made_full = 0;
    const auto run = [&](bool ipv6, std::vector<FrameNote> &notes, std::vector<std::string> &texts) {
        auto a = std::make_unique<Analyzer>();
        const auto address = [ipv6](uint8_t host, uint32_t i) {
            uint8_t b[16] = {
                0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, host, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
            const uint8_t v4[4] = {10, host, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
            return ipv6 ? Address::from_bytes(6, b) : Address::ipv4(v4);
        };
        std::vector<uint32_t> seq(kStreams), ack(kStreams);
        std::vector<TcpSegment> last(kStreams);
        uint32_t frame = 0;
        int64_t time_us = 1000000;
        for (const Step &step : steps) {
            const uint32_t i = step.stream;
            const Endpoint client{address(1, i), static_cast<uint16_t>(1024 + i)};
            const Endpoint server{address(2, i % 7), 80};
            frame += 1 + step.frame_gap;
            time_us += step.gap_us;
            TcpSegment seg;
            seg.frame = frame;
            seg.time_us = time_us;
            seg.stream = i;
            seg.src = client;
            seg.dst = server;
            seg.ttl = step.ttl;
            seg.window = 64240;
            seg.signature = step.signature;
            if (step.kind == 0) seq[i] = step.signature;
            switch (step.kind) {
                case 0:
                case 1:
                case 2:  // a SYN, the first or again (a retransmission keeps its number, a new ISN does not)
                    seg.flags = tcp_flag::kSyn;
                    seg.seq = step.kind == 2 ? ++seq[i] : seq[i];
                    seg.retransmission = step.kind == 1;
                    seg.mss = step.mss;
                    break;
                case 3:
                case 4:
                case 5:  // the server's RST: acknowledging the SYN, something else, or nothing
                    std::swap(seg.src, seg.dst);
                    seg.flags = step.kind == 5 ? tcp_flag::kRst : tcp_flag::kRst | tcp_flag::kAck;
                    seg.ack = step.kind == 3 ? seq[i] + 1 : seq[i] + 1000;
                    seg.window = 0;
                    break;
                case 6:  // the SYN/ACK
                    std::swap(seg.src, seg.dst);
                    seg.flags = tcp_flag::kSyn | tcp_flag::kAck;
                    seg.seq = ack[i] = step.signature;
                    seg.ack = seq[i] + 1;
                    break;
                case 7:  // the client's ACK, with data now and then
                    seg.flags = tcp_flag::kAck;
                    seg.seq = seq[i] + 1;
                    seg.ack = ack[i] + 1;
                    seg.payload_len = step.mss ? 100 : 0;
                    break;
                case 8:  // the client's RST
                    seg.flags = tcp_flag::kRst;
                    seg.seq = seq[i] + 1;
                    break;
                case 9:  // a copy of the stream's last packet
                    seg = last[i];
                    seg.frame = frame;
                    seg.time_us = time_us;
                    break;
                case 10: {  // an ICMP error quoting the SYN
                    IcmpError err;
                    err.frame = frame;
                    err.time_us = time_us;
                    err.reporter = address(3, 0);
                    err.type = 3;  // ICMP over IPv6 too: the texts name the version
                    err.code = 13;
                    err.quoted_src = client;
                    err.quoted_dst = server;
                    err.quoted_stream_known = step.mss != 0;  // else found by addresses and ports
                    err.quoted_stream = i;
                    FrameNote note;
                    if (a->observe(err, note)) notes.push_back(note);
                    continue;
                }
                default:  // a segment the capture missed something before
                    seg.flags = tcp_flag::kSyn;
                    seg.seq = seq[i];
                    seg.capture_gap = true;
                    break;
            }
            last[i] = seg;
            notes.push_back(a->observe(seg));
        }
        // The texts, with the addresses put as the roles they play (and IPv6's words as IPv4's).
        const auto roles = [&](std::string text, uint32_t i) {
            const std::string client = to_string(address(1, i)), server = to_string(address(2, i % 7)),
                              router = to_string(address(3, 0));
            for (const auto &[from, to] : {std::pair{"[" + client + "]", client},
                                           {"[" + server + "]", server},
                                           {client, std::string("CLIENT")},
                                           {server, std::string("SERVER")},
                                           {router, std::string("ROUTER")},
                                           {std::string("hop limit"), std::string("TTL")}})
                for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
            return text;
        };
        a->for_each_stream([&](const StreamState &st) {
            if (!ipv6) {
                BriefStream brief;
                if (make_brief(st, brief))
                    ++ended_brief;
                else if (st.of(Side::Client).syns && st.history.str() != "S")
                    ++made_full;
            }
            const Diagnosis d = a->diagnose(st);
            texts.push_back(std::to_string(st.index) + " " + verdict_name(d.verdict) + " " + actor_name(d.reset_by) +
                            " " + cause_name(d.cause) + " " + std::to_string(d.evidence_frame) + " " +
                            st.history.str() + " " + std::to_string(st.packets()) + " " +
                            std::to_string(st.syn_retransmissions()) + " " + st.stage() + " " +
                            st.captured_directions() + " " + st.capture_flaw_names() + " " +
                            std::to_string(st.first_time_us) + " " + std::to_string(st.last_time_us) + " | " +
                            roles(reason(st, d), st.index) + " | " + roles(next_step(st, d), st.index));
        });
        for (size_t n = 0; n < notes.size(); ++n) {
            const StreamState *st = a->find(notes[n].stream);
            REQUIRE(st);
            const Diagnosis d = a->diagnose(*st);
            if (proves(d, n + 1, notes[n].event))
                texts.push_back(roles(evidence_note(*st, d, static_cast<uint32_t>(n + 1), notes[n].event), st->index));
        }
    };
    std::vector<FrameNote> notes4, notes6;
    std::vector<std::string> texts4, texts6;
    run(false, notes4, texts4);
    run(true, notes6, texts6);
    CHECK(ended_brief > 20);
    CHECK(made_full > 100);
    REQUIRE(notes4.size() == notes6.size());
    size_t differing_notes = 0;
    for (size_t n = 0; n < notes4.size(); ++n) {
        const FrameEvent &x = notes4[n].event, &y = notes6[n].event;
        differing_notes += !(notes4[n].stream.index == notes6[n].stream.index && x.kind == y.kind && x.side == y.side &&
                             x.run == y.run && x.ordinal == y.ordinal);
    }
    CHECK(differing_notes == 0);
    REQUIRE(texts4.size() == texts6.size());
    for (size_t n = 0; n < texts4.size(); ++n) CHECK(texts4[n] == texts6[n]);
}
