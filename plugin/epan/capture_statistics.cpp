#include "capture_statistics.h"

namespace tcpdiag {

namespace {

constexpr int64_t kSlackUs = 1'000'000;

int64_t ticks_to_us(uint64_t ticks, uint64_t per_second) {
    if (per_second == 0) per_second = 1'000'000;
    return static_cast<int64_t>(static_cast<unsigned __int128>(ticks) * 1'000'000 / per_second);
}

bool option(wtap_block_t block, guint id, uint64_t &value) {
    guint64 v = 0;
    if (wtap_block_get_uint64_option_value(block, id, &v) != WTAP_OPTTYPE_SUCCESS) return false;
    value = v;
    return true;
}

// A start and end that bracket the packets captured (within a second).
bool brackets(const TimeSpan &ran, const TimeSpan &packets) {
    return packets.empty() || (ran.first <= packets.first + kSlackUs && ran.last + kSlackUs >= packets.last);
}

}  // namespace

CaptureStatistics read_capture_statistics(wtap *wth, const TimeSpan &packets) {
    CaptureStatistics stats;
    wtapng_iface_descriptions_t *interfaces = wtap_file_get_idb_info(wth);  // shallow: g_free only
    if (!interfaces) return stats;
    for (guint i = 0; interfaces->interface_data && i < interfaces->interface_data->len; ++i) {
        auto *idb = static_cast<wtapng_if_descr_mandatory_t *>(
            wtap_block_get_mandatory_data(g_array_index(interfaces->interface_data, wtap_block_t, i)));
        GArray *isbs = idb ? idb->interface_statistics : nullptr;
        if (!isbs || isbs->len == 0) continue;
        // Counters are totals since the capture started: the last block has them all.
        wtap_block_t isb = g_array_index(isbs, wtap_block_t, isbs->len - 1);
        uint64_t value = 0;
        if (option(isb, OPT_ISB_IFDROP, value)) stats.dropped += value;
        if (option(isb, OPT_ISB_OSDROP, value)) stats.dropped += value;
        uint64_t start = 0, end = 0;
        if (!option(isb, OPT_ISB_STARTTIME, start) || !option(isb, OPT_ISB_ENDTIME, end) || end < start) continue;
        // The times are in the interface's timestamp unit, but dumpcap writes microseconds even
        // for an interface in nanoseconds: the reading that brackets the packets is the right one.
        TimeSpan in_unit, in_us;
        in_unit.add(ticks_to_us(start, idb->time_units_per_second));
        in_unit.add(ticks_to_us(end, idb->time_units_per_second));
        in_us.add(static_cast<int64_t>(start));
        in_us.add(static_cast<int64_t>(end));
        const TimeSpan *ran = brackets(in_unit, packets) ? &in_unit : brackets(in_us, packets) ? &in_us : nullptr;
        if (!ran) continue;
        stats.ran.add(ran->first);
        stats.ran.add(ran->last);
    }
    g_free(interfaces);
    return stats;
}

}  // namespace tcpdiag
