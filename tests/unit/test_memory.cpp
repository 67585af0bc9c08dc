// What the Analyzer keeps per stream, counted at the heap: this program replaces operator new
// and delete to track the bytes held, so the figure covers every container (the streams, the
// address pairs, the flow index) and cannot miss one added later. It runs as its own program
// so that the replacement touches no other test.
#include <malloc.h>

#include <catch2/catch_test_macros.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>

#include "analyzer.h"
#include "frame_table.h"
#include "stream_builder.h"

namespace {
size_t heap_bytes = 0;  // held now, as malloc_usable_size counts them
}

void *operator new(size_t size) {
    void *p = std::malloc(size ? size : 1);
    if (!p) throw std::bad_alloc();
    heap_bytes += malloc_usable_size(p);
    return p;
}

// GCC takes the free() below for a mismatch with new; here operator new is malloc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void *p) noexcept {
    if (!p) return;
    heap_bytes -= malloc_usable_size(p);
    std::free(p);
}

void operator delete(void *p, size_t) noexcept {
    operator delete(p);
}

using namespace tcpdiag;
using tcpdiag::test::endpoint;

namespace {

constexpr uint32_t kStreams = 200000;

// Bytes per stream the Analyzer holds after one SYN on each of kStreams streams, answered by a
// RST from the server if `refused`; `source(i)` is the client of stream i.
template <typename Source>
double bytes_per_stream(const char *what, Source source, bool refused = false) {
    const size_t before = heap_bytes;
    auto analyzer = std::make_unique<Analyzer>();
    const Endpoint server = endpoint(192, 0, 2, 80, 80);
    for (uint32_t i = 0; i < kStreams; ++i) {
        TcpSegment syn;
        syn.frame = analyzer->last_frame() + 1;
        syn.time_us = 1000000 + int64_t{syn.frame} * 10;
        syn.stream = i;
        syn.src = source(i);
        syn.dst = server;
        syn.flags = tcp_flag::kSyn;
        syn.seq = i * 2654435761u;
        syn.window = 64240;
        syn.ttl = 64;
        analyzer->observe(syn);
        if (!refused) continue;
        TcpSegment rst = syn;
        ++rst.frame;
        std::swap(rst.src, rst.dst);
        rst.flags = tcp_flag::kRst | tcp_flag::kAck;
        rst.ack = syn.seq + 1;
        rst.seq = rst.window = 0;
        analyzer->observe(rst);
    }
    const double per_stream = static_cast<double>(heap_bytes - before) / kStreams;
    std::printf("%s: %u streams, %.1f bytes a stream held by the Analyzer (sizeof(StreamState) %zu)\n", what, kStreams,
                per_stream, sizeof(StreamState));
    const StreamState *last = analyzer->find({Transport::Tcp, kStreams - 1});
    REQUIRE(last);
    CHECK(analyzer->diagnose(*last).verdict == (refused ? Verdict::Refused : Verdict::Incomplete));
    CHECK(last->client() == source(kStreams - 1));
    return per_stream;
}

Endpoint spoofed(uint32_t i) {
    return endpoint(10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i),
                    static_cast<uint16_t>(1024 + i % 60000));
}

Endpoint one_host(uint32_t i) {
    return endpoint(10, 0, 0, 1, static_cast<uint16_t>(1024 + i % 60000));
}

}  // namespace

TEST_CASE("a SYN flood from spoofed sources costs the Analyzer at most 64 bytes a stream") {
    // Every client address different: nothing shared but the server's. A brief stream of 44 bytes,
    // its place in the stream table and in the flow index; 190 bytes before the brief form (a
    // StreamState and an address pair each), about 460 before the compact state.
    CHECK(bytes_per_stream("SYN flood, spoofed sources", spoofed) <= 64);
}

TEST_CASE("a SYN flood from one host costs the Analyzer at most 64 bytes a stream") {
    // Its ports come round again, so the flow index holds fewer entries than there are streams
    // (136 bytes a stream with a StreamState each, about 410 before the compact state).
    CHECK(bytes_per_stream("SYN flood, one source", one_host) <= 64);
}

TEST_CASE("a scan of closed ports, each SYN refused by a RST, costs at most 64 bytes a stream") {
    // The refusing RST fits the brief form too; as a StreamState it allocated the stream's
    // incident block (390 bytes a stream).
    CHECK(bytes_per_stream("scan of closed ports, spoofed sources", spoofed, true) <= 64);
}

TEST_CASE("the frame table keeps at most 10.5 bytes a frame of one segment") {
    // What later passes and the GUI read each frame's verdict from: a 2-byte count in a block of 64
    // frames and an 8-byte note per frame (before: a 4-byte offset and the note, 12; before that 4
    // and 16, in vectors that double: 20 to 40).
    constexpr uint32_t kFrames = 1000000;
    const size_t before = heap_bytes;
    auto table = std::make_unique<FrameTable>();
    for (uint32_t f = 1; f <= kFrames; ++f) {
        FrameNote note;
        note.stream = {Transport::Tcp, f / 10};
        note.event.kind = f % 10 == 1 ? FrameEventKind::Syn : FrameEventKind::None;
        table->add(f, &note, 1);
    }
    const double per_frame = static_cast<double>(heap_bytes - before) / kFrames;
    std::printf("frame table: %u frames, %.2f bytes a frame\n", kFrames, per_frame);
    CHECK(per_frame <= 10.5);
    CHECK(table->notes_of(kFrames)[0].stream.index == kFrames / 10);
}
