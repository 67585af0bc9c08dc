#include "summary_tap.h"

#include <array>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <epan/packet.h>  // before stat_tap_ui.h, which needs glib's types
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include "../core/summary.h"
#include "dissect.h"
#include "peer_fields.h"
#include "peer_session.h"
#include "session.h"
#include "ws_compat.h"

namespace tcpdiag {

namespace {

// A stat-tap table: tshark prints it at the end of the run, the GUI lists it under Statistics and
// opens it for `wireshark -z tcpdiag,summary`. Each stream is counted once, under the verdict it has
// at its latest tapped packet: in a second pass (tshark -2, the GUI) that is its final verdict.
constexpr char kTitle[] = "TCP Failure Diagnosis Summary";
constexpr char kTable[] = "Streams per verdict";
enum Column : unsigned { kVerdict, kStreams, kPorts, kAddresses, kStages, kColumns };
constexpr size_t kBusiest = 3;  // ports and addresses listed per verdict

stat_tap_table_item kFields[kColumns] = {
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Verdict", "%-18s"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "Streams", "%7u"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Busiest server ports (streams)", "%-36s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Busiest server addresses (streams)", "%-36s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Stages reached (streams)", "%s"},
};

// One row per verdict but Undecided, in precedence order.
constexpr unsigned kRows = VerdictSummary::kVerdicts - 1;
Verdict verdict_of_row(unsigned row) {
    return static_cast<Verdict>(row + 1);
}

// With a peer capture, a second table: streams per path verdict (tcpdiag.peer.verdict). The
// comparison exists once the capture has been read, so it fills in the second pass (tshark -2,
// the GUI) only.
constexpr char kPathTable[] = "Streams per path verdict (peer capture)";
constexpr unsigned kPathRows = static_cast<unsigned>(PathVerdict::NotInPeerCapture) + 1;

// Tables whose rows are marks a TCP stream has or not, each stream counted under every mark it has.
// A stream's marks can change while a single pass reads on (the other half turns up, a loss
// shows): each stream's counted marks are kept to move it.
constexpr unsigned kMaxMarks = 8;
struct MarkedRows {
    const char *title;
    const char *const *names;
    unsigned rows;
    std::array<uint32_t, kMaxMarks> counts{};
    std::map<std::pair<int, uint32_t>, uint8_t> counted{};  // (transport, stream): its mark bits
};

uint8_t mark_bits(std::initializer_list<bool> marks) {
    uint8_t bits = 0, bit = 1;
    for (bool mark : marks) {
        bits |= mark ? bit : 0;
        bit = uint8_t(bit << 1);
    }
    return bits;
}

// A third table: streams per flaw of the capture (tcpdiag.capture_flaws) and per half captured
// (tcpdiag.captured), which the verdicts do not count.
constexpr char kFlawTable[] = "Streams per capture flaw";
constexpr const char *kFlawNames[] = {"duplicates", "capture_gaps", "truncated", "client_only", "server_only"};
constexpr unsigned kFlawRows = sizeof kFlawNames / sizeof *kFlawNames;

uint8_t flaws_of(const StreamState &st, const Diagnosis &) {
    const CaptureFlaws &f = st.flaws();
    Side captured = Side::Client;
    const bool half = st.one_direction(captured);
    return mark_bits({f.duplicates != 0, f.capture_gap, f.truncated, half && captured == Side::Client,
                      half && captured == Side::Server});
}

// A fourth: streams per cause (tcpdiag.cause) and per loss point (tcpdiag.loss_point).
constexpr char kCauseTable[] = "Streams per cause and loss point";
constexpr const char *kCauseNames[] = {"idle_timeout", "mtu_black_hole", "after_capture", "before_capture"};
constexpr unsigned kCauseRows = sizeof kCauseNames / sizeof *kCauseNames;
static_assert(kFlawRows <= kMaxMarks && kCauseRows <= kMaxMarks, "a mark per bit");

uint8_t causes_of(const StreamState &, const Diagnosis &d) {
    return mark_bits({d.cause == Cause::IdleTimeout, d.cause == Cause::MtuBlackHole,
                      d.loss_point == LossPoint::AfterCapture, d.loss_point == LossPoint::BeforeCapture});
}

// The cells a flaw or path row leaves empty.
void blank_text_cells(stat_tap_table_item_type *cells) {
    for (unsigned column : {kPorts, kAddresses, kStages}) {
        cells[column].type = TABLE_ITEM_STRING;
        cells[column].value.string_value = "";
    }
}

// The counts and the texts the table's cells point at (the table stores only the pointers).
struct SummaryState {
    VerdictSummary summary;
    std::array<std::string, kRows> ports, addresses, stages;
    std::array<uint32_t, kPathRows> paths{};
    std::set<std::pair<int, uint32_t>> path_counted;  // (transport, stream)
    MarkedRows flaws{kFlawTable, kFlawNames, kFlawRows};
    MarkedRows causes{kCauseTable, kCauseNames, kCauseRows};
} state;

void show_marked_row(stat_tap_table *table, const MarkedRows &marked, unsigned row) {
    stat_tap_table_item_type *cells = stat_tap_get_field_data(table, row, 0);
    cells[kVerdict].type = TABLE_ITEM_STRING;
    cells[kVerdict].value.string_value = marked.names[row];
    cells[kStreams].type = TABLE_ITEM_UINT;
    cells[kStreams].value.uint_value = marked.counts[row];
    blank_text_cells(cells);
}

// The table of these marks in the tap's tables, if it is there whole.
stat_tap_table *find_marked_table(stat_data_t *data, const MarkedRows &marked) {
    stat_tap_table *table = stat_tap_find_table(data->stat_tap_data, marked.title);
    return table && table->num_elements >= marked.rows ? table : nullptr;
}

// Moves the stream to the rows of the marks it has now.
bool count_marks(stat_tap_table *table, MarkedRows &marked, const StreamState &st, uint8_t now) {
    if (!table || st.transport != Transport::Tcp) return false;
    uint8_t &counted = marked.counted[std::make_pair(static_cast<int>(st.transport), st.index)];
    if (now == counted) return false;
    for (unsigned row = 0; row < marked.rows; ++row) {
        const uint8_t bit = uint8_t(1u << row);
        if ((now & bit) == (counted & bit)) continue;
        marked.counts[row] += (now & bit) ? 1 : uint32_t(-1);
        show_marked_row(table, marked, row);
    }
    counted = now;
    return true;
}

void show_path_row(stat_tap_table *table, unsigned row) {
    stat_tap_table_item_type *cells = stat_tap_get_field_data(table, row, 0);
    cells[kVerdict].type = TABLE_ITEM_STRING;
    cells[kVerdict].value.string_value = path_verdict_name(static_cast<PathVerdict>(row));
    cells[kStreams].type = TABLE_ITEM_UINT;
    cells[kStreams].value.uint_value = state.paths[row];
    blank_text_cells(cells);
}

// Counts each stream's path verdict once, on its first packet of a later pass.
bool count_path(stat_tap_table *table, const StreamState &st) {
    TwoPoint *tp = peer_results();
    const auto key = std::make_pair(static_cast<int>(st.transport), st.index);
    if (!tp || !table || state.path_counted.count(key)) return false;
    const StreamPath *path = tp->stream(static_cast<uint8_t>(st.transport), st.index);
    const unsigned row = static_cast<unsigned>(path ? path->verdict : PathVerdict::NotInPeerCapture);
    state.path_counted.insert(key);
    ++state.paths[row];
    show_path_row(table, row);
    return true;
}

void show_row(stat_tap_table *table, unsigned row) {
    const Verdict verdict = verdict_of_row(row);
    state.ports[row] = state.summary.busiest_ports(verdict, kBusiest);
    state.addresses[row] = state.summary.busiest_addresses(verdict, kBusiest);
    state.stages[row] = state.summary.stages(verdict);
    stat_tap_table_item_type *cells = stat_tap_get_field_data(table, row, 0);
    cells[kVerdict].type = TABLE_ITEM_STRING;
    cells[kVerdict].value.string_value = verdict_name(verdict);
    cells[kStreams].type = TABLE_ITEM_UINT;
    cells[kStreams].value.uint_value = state.summary.streams(verdict);
    cells[kPorts].type = TABLE_ITEM_STRING;
    cells[kPorts].value.string_value = state.ports[row].c_str();
    cells[kAddresses].type = TABLE_ITEM_STRING;
    cells[kAddresses].value.string_value = state.addresses[row].c_str();
    cells[kStages].type = TABLE_ITEM_STRING;
    cells[kStages].value.string_value = state.stages[row].c_str();
}

void clear_rows(stat_tap_table *table) {
    for (MarkedRows *marked : {&state.flaws, &state.causes}) {
        if (std::strcmp(table->title, marked->title) != 0) continue;
        marked->counts.fill(0);
        marked->counted.clear();
        for (unsigned row = 0; row < marked->rows && row < table->num_elements; ++row)
            show_marked_row(table, *marked, row);
        return;
    }
    if (std::strcmp(table->title, kPathTable) == 0) {
        state.paths.fill(0);
        state.path_counted.clear();
        for (unsigned row = 0; row < kPathRows && row < table->num_elements; ++row) show_path_row(table, row);
        return;
    }
    state.summary.clear();
    for (unsigned row = 0; row < kRows && row < table->num_elements; ++row) show_row(table, row);
}

// The table named `name` with `rows` blank rows, made on first use; then emptied.
void prepare_table(stat_tap_table_ui *ui, const char *name, unsigned rows) {
    stat_tap_table *table = stat_tap_find_table(ui, name);
    if (!table) {
        table = stat_tap_init_table(name, kColumns, 0, nullptr);
        stat_tap_add_table(ui, table);
        stat_tap_table_item_type blank[kColumns] = {};
        for (unsigned row = 0; row < rows; ++row) stat_tap_init_table_row(table, row, kColumns, blank);
    }
    clear_rows(table);
}

void init_tables(stat_tap_table_ui *ui) {
    prepare_table(ui, kTable, kRows);
    prepare_table(ui, kFlawTable, kFlawRows);
    prepare_table(ui, kCauseTable, kCauseRows);
    const char *peer = peer_capture_path();
    if (peer && *peer) prepare_table(ui, kPathTable, kPathRows);
}

void reset_table(stat_tap_table *table) {
    clear_rows(table);
}

void free_cell(stat_tap_table *, guint, guint, stat_tap_table_item_type *) {
    // The strings belong to SummaryState, verdict_name() and path_verdict_name(): nothing to free.
}

tap_packet_status on_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *, const void *record_ptr,
                            tap_flags_t) noexcept {
    auto *data = static_cast<stat_data_t *>(tapdata);
    stat_tap_table *table = stat_tap_find_table(data->stat_tap_data, kTable);
    if (!table || table->num_elements < kRows) return TAP_PACKET_DONT_REDRAW;
    stat_tap_table *path_table = pinfo->fd->visited ? stat_tap_find_table(data->stat_tap_data, kPathTable) : nullptr;
    if (path_table && path_table->num_elements < kPathRows) path_table = nullptr;
    stat_tap_table *flaw_table = find_marked_table(data, state.flaws);
    stat_tap_table *cause_table = find_marked_table(data, state.causes);
    const auto *record = static_cast<const FrameNotes *>(record_ptr);
    bool changed = false;
    try {
        const Analyzer &analyzer = session();
        for (int i = 0; i < record->count; ++i) {
            const StreamState *st = analyzer.find((*record)[i].stream);
            if (!st) continue;
            changed |= count_path(path_table, *st);
            const Diagnosis diagnosis = analyzer.diagnose(*st);
            changed |= count_marks(flaw_table, state.flaws, *st, flaws_of(*st, diagnosis));
            changed |= count_marks(cause_table, state.causes, *st, causes_of(*st, diagnosis));
            const Verdict verdict = diagnosis.verdict;
            if (verdict == Verdict::Undecided) continue;
            Verdict left;
            if (!state.summary.place(*st, verdict, left)) continue;
            show_row(table, static_cast<unsigned>(verdict) - 1);
            if (left != Verdict::Undecided && left != verdict) show_row(table, static_cast<unsigned>(left) - 1);
            changed = true;
        }
    } catch (const std::exception &) {
        return TAP_PACKET_FAILED;
    }
    return changed ? TAP_PACKET_REDRAW : TAP_PACKET_DONT_REDRAW;
}

}  // namespace

void register_summary_tap_ui() {
    static stat_tap_table_ui ui = {
        ws::kStatisticsMenuGroup,
        kTitle,
        "tcpdiag",  // the tap the post-dissector queues its per-frame records on
        "tcpdiag,summary",
        init_tables,
        on_packet,
        reset_table,
        free_cell,
        nullptr,  // any display filter is fine
        kColumns,
        kFields,
        0,
        nullptr,
        nullptr,
        0,
    };
    register_stat_tap_table_ui(&ui);
}

}  // namespace tcpdiag
