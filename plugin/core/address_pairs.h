// The two addresses of a stream, stored once per pair of hosts and shared by every stream
// between them (port reuse, many connections to one server), so a stream keeps one pointer.
#pragma once

#include <cstddef>
#include <deque>

#include "endpoint.h"
#include "id_table.h"

namespace tcpdiag {

struct AddressPair {
    Address client, server;
};

class AddressPairTable {
  public:
    AddressPairTable() = default;
    // A table that keeps only the latest pair, for a stream not yet known to need one of its own:
    // each intern() replaces it.
    struct LatestOnly {};
    explicit AddressPairTable(LatestOnly) : latest_only_(true) {}

    // The stored pair equal to (client, server), added if new. It stays valid as long as the table
    // (a LatestOnly table's, until the next intern()).
    const AddressPair *intern(const Address &client, const Address &server) {
        if (!latest_only_) return intern_shared(client, server);
        latest_ = {client, server};
        return &latest_;
    }
    size_t size() const { return pairs_.size(); }

  private:
    const AddressPair *intern_shared(const Address &client, const Address &server);

    bool latest_only_ = false;
    AddressPair latest_;
    std::deque<AddressPair> pairs_;  // a deque: adding never moves the pairs streams point to
    IdTable index_;                  // positions in pairs_
};

}  // namespace tcpdiag
