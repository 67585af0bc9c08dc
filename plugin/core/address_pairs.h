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
    // The stored pair equal to (client, server), added if new. It stays valid as long as the table.
    const AddressPair *intern(const Address &client, const Address &server);
    size_t size() const { return pairs_.size(); }

  private:
    std::deque<AddressPair> pairs_;  // a deque: adding never moves the pairs streams point to
    IdTable index_;                  // positions in pairs_
};

}  // namespace tcpdiag
