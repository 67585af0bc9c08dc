#include "address_pairs.h"

namespace tcpdiag {

namespace {
size_t hash_of(const Address &client, const Address &server) {
    // FlowKey ignores the order of its ends: (a, b) and (b, a) share a hash, and is_key tells them apart.
    return FlowKeyHash()(FlowKey::of(0, {client, 0}, {server, 0}));
}
}  // namespace

const AddressPair *AddressPairTable::intern_shared(const Address &client, const Address &server) {
    const size_t hash = hash_of(client, server);
    auto is_key = [&](uint32_t i) { return pairs_[i].client == client && pairs_[i].server == server; };
    const uint32_t found = index_.find(hash, is_key);
    if (found != IdTable::kNone) return &pairs_[found];
    pairs_.push_back({client, server});
    index_.put(hash, static_cast<uint32_t>(pairs_.size() - 1), is_key,
               [this](uint32_t i) { return hash_of(pairs_[i].client, pairs_[i].server); });
    return &pairs_.back();
}

}  // namespace tcpdiag
