#pragma once
// RecentIds: a bounded, thread-safe set of ids known to be committed in EventLog. The payment
// webhook answers a repeated event_id from here without a trip through the writer: payment
// services retry a lot, and a retry of a stored event is the cheapest request there is.
//
// Correctness rests on two facts: an id is added only after its row was committed (by this
// process, or seen as a duplicate of a committed row), and EventLog rows are never deleted.
// So a hit is always a true "duplicate_ignored"; a miss just goes to the database, which
// stays the one authority (exactly one "ok" per id comes from its atomic insert).
// Oldest ids are forgotten first once `capacity` is reached. Safe from any thread.

#include <boost/unordered/unordered_flat_set.hpp>

#include <array>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace hookline {

class RecentIds {
 public:
  explicit RecentIds(size_t capacity = 1 << 17);
  bool Contains(std::string_view id) const;
  void Add(std::string_view id);

 private:
  static constexpr size_t kShards = 16;
  struct alignas(64) Shard {  // own cache lines: the network threads look up concurrently
    mutable std::mutex mu;  // guards ids and order
    // The ids themselves live in `order` (a deque never moves its elements on push_back or
    // pop_front, so the views stay valid until their id is evicted). An open-addressing set
    // with its hash fragments in a metadata array: a look-up that misses usually touches one
    // cache line, where a node-based set chased a bucket, a node and the string.
    boost::unordered_flat_set<std::string_view> ids;
    std::deque<std::string> order;  // insertion order, for eviction
  };
  Shard& ShardFor(std::string_view id) const;

  const size_t per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace hookline
