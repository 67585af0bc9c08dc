// libFuzzer target for the core: the input is decoded into a configuration and a sequence of
// observations (TCP segments, ICMP errors, UDP datagrams) such as the glue could extract from any
// capture, fed to one Analyzer; then every stream is diagnosed, explained and reported in all
// formats, and every frame's note is checked against the verdict. Sanitizers and the checks
// below turn any inconsistency into a crash libFuzzer keeps.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "analyzer.h"
#include "explain.h"
#include "report.h"

namespace {

using namespace tcpdiag;

// Reads the fuzz input front to back; past its end every value is zero.
class Input {
  public:
    Input(const uint8_t *data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }
    uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(u8() << 8 | u8()); }
    uint32_t u32() { return static_cast<uint32_t>(u16()) << 16 | u16(); }

  private:
    const uint8_t *data_;
    size_t size_, pos_ = 0;
};

// A few hosts and ports only, so that streams collide, ports are reused and ICMP errors quote
// streams that exist; now and then any address at all.
Endpoint endpoint(Input &in) {
    const uint8_t pick = in.u8();
    Endpoint e;
    uint8_t bytes[16] = {};
    if (pick & 0x80) {
        for (uint8_t &b : bytes) b = in.u8();
    } else {
        bytes[0] = (pick & 0x40) ? 0xfd : 10;
        bytes[15] = bytes[3] = pick & 0x03;
    }
    const uint8_t family = (pick & 0x40) ? 6 : ((pick & 0x20) ? 0 : 4);
    e.address = family ? Address::from_bytes(family, bytes) : Address{};
    e.port = (pick & 0x10) ? in.u16() : static_cast<uint16_t>(440 + (pick & 0x0c));
    return e;
}

// Mostly small stream numbers; sometimes any, to reach the bound on corrupt ones.
uint32_t stream_number(Input &in) {
    const uint8_t pick = in.u8();
    return (pick & 0x80) ? in.u32() : pick & 0x0f;
}

Config config(Input &in) {
    Config c;
    c.syn_retransmissions_threshold = in.u8() % 8;
    c.data_retransmissions_threshold = in.u8() % 8;
    c.zero_window_threshold_ms = in.u16();
    c.response_timeout_ms = in.u16();
    c.idle_timeout_s = in.u8() % 4;  // 0 (off) to 3 s, so that the fuzzed gaps reach it
    c.capture_point = static_cast<CapturePoint>(in.u8() % 3);
    c.sequence_analysis = in.u8() & 1;
    return c;
}

TcpSegment segment(Input &in) {
    TcpSegment s;
    s.stream = stream_number(in);
    s.src = endpoint(in);
    s.dst = endpoint(in);
    s.flags = in.u8();
    // Sequence numbers near one another most of the time, so they acknowledge and overlap.
    const uint8_t seq_pick = in.u8();
    s.seq = (seq_pick & 0x80) ? in.u32() : (seq_pick & 0x7f) * 100u;
    const uint8_t ack_pick = in.u8();
    s.ack = (ack_pick & 0x80) ? in.u32() : (ack_pick & 0x7f) * 100u;
    s.payload_len = (in.u8() & 0x80) ? in.u32() : in.u8();
    s.window = (in.u8() & 1) ? 0 : in.u16();
    s.ttl = in.u8();
    s.retransmission = in.u8() & 1;
    s.rto_frame = in.u8();
    return s;
}

IcmpError icmp_error(Input &in) {
    IcmpError e;
    e.reporter = endpoint(in).address;
    e.icmp_version = (in.u8() & 1) ? 6 : 4;
    e.type = in.u8() % 6;
    e.code = in.u8() % 16;
    e.quoted_transport = (in.u8() & 1) ? Transport::Udp : Transport::Tcp;
    e.quoted_src = endpoint(in);
    e.quoted_dst = endpoint(in);
    e.quoted_stream_known = in.u8() & 1;
    e.quoted_stream = stream_number(in);
    return e;
}

UdpDatagram datagram(Input &in) {
    UdpDatagram d;
    d.stream = stream_number(in);
    d.src = endpoint(in);
    d.dst = endpoint(in);
    return d;
}

void check(bool condition) {
    if (!condition) std::abort();
}

// What the glue does with a diagnosis: texts for the stream and for each frame that proves it.
void explain_all(const Analyzer &analyzer, const std::vector<std::pair<uint32_t, FrameNote>> &notes) {
    analyzer.for_each_stream([&analyzer](const StreamState &stream) {
        const Diagnosis d = analyzer.diagnose(stream);
        check(d.verdict != Verdict::Undecided && d.verdict <= kLastVerdict);
        check(!reason(stream, d).empty());
        next_step(stream, d);
    });
    for (const auto &[frame, note] : notes) {
        const StreamState *stream = analyzer.find(note.stream);
        if (!stream) continue;
        const Diagnosis d = analyzer.diagnose(*stream);
        if (proves(d, frame, note.event)) evidence_note(*stream, d, frame, note.event);
    }
    for (ReportFormat format : {ReportFormat::Text, ReportFormat::Tsv, ReportFormat::Json})
        streams_report(analyzer, format);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in(data, size);
    Analyzer analyzer(config(in));
    std::vector<std::pair<uint32_t, FrameNote>> notes;
    uint32_t frame = 0;
    int64_t time_us = 0;
    while (!in.done()) {
        ++frame;
        // Time mostly moves forward, by up to minutes; captures sometimes step back.
        const uint8_t step = in.u8();
        time_us += (step & 0x80) ? -static_cast<int64_t>(step & 0x7f) : static_cast<int64_t>(step) * 250000;
        const uint8_t kind = in.u8() % 8;
        if (kind < 6) {
            TcpSegment s = segment(in);
            s.frame = frame;
            s.time_us = time_us;
            notes.emplace_back(frame, analyzer.observe(s));
        } else if (kind == 6) {
            IcmpError e = icmp_error(in);
            e.frame = frame;
            e.time_us = time_us;
            FrameNote note;
            if (analyzer.observe(e, note)) notes.emplace_back(frame, note);
        } else {
            UdpDatagram d = datagram(in);
            d.frame = frame;
            d.time_us = time_us;
            notes.emplace_back(frame, analyzer.observe(d));
        }
        // Provisional verdicts are shown during the first pass: diagnose mid-capture too.
        if (frame % 16 == 0) explain_all(analyzer, notes);
    }
    explain_all(analyzer, notes);
    return 0;
}
