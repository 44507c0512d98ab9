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
//
// Each of 16 shards is a ring of `capacity / 16` ids in insertion order and an open-addressing
// table (linear probing, twice the ring's size) of positions in the ring. Everything is sized
// once: an id replaces the oldest in its ring slot, reusing that string's buffer, and leaves
// the table by backward-shift deletion, so the set never rehashes and, once each slot has held
// an id as long as the new one, never allocates. (The unordered_flat_set and deque of strings
// it replaces rehashed as they grew and allocated and freed a string per id, on the thread
// that runs the replies after a commit: bench/RESULTS.md, finding 21.)

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hookline {

class RecentIds {
 public:
  explicit RecentIds(size_t capacity = 1 << 17);
  bool Contains(std::string_view id) const;
  void Add(std::string_view id);

  // Ids are forgotten oldest first within each shard: tests model it with these.
  static constexpr size_t kShards = 16;
  static size_t ShardOf(std::string_view id) { return ShardIndex(Hash(id)); }
  size_t PerShard() const { return per_shard_; }

 private:
  struct Slot {
    uint32_t tag = 0;    // the id's hash, high 32 bits: most mismatches never read the string
    uint32_t entry = 0;  // 1 + the id's position in the ring; 0: empty
  };
  struct Free {
    void operator()(Slot* p) const { std::free(p); }
  };
  struct alignas(64) Shard {  // own cache lines: the network threads look up concurrently
    mutable std::mutex mu;    // guards everything below
    // From calloc: fresh zero pages the kernel maps on first use, so a starting server does
    // not fault in 2 MB of empty table (a page fault costs ~25 us on the virtual machines
    // hookline is measured on).
    std::unique_ptr<Slot[], Free> table;
    std::vector<std::string> ring;  // grows to the shard's capacity, then is overwritten in turn
    std::vector<uint64_t> hashes;   // each ring entry's hash, to find its slot on eviction
    size_t oldest = 0;              // once the ring is full: the next entry to be replaced
  };

  bool Find(const Shard& shard, uint64_t hash, std::string_view id) const;
  void Erase(Shard& shard, size_t entry);
  void Insert(Shard& shard, uint64_t hash, size_t entry);
  size_t Home(uint64_t hash) const { return static_cast<size_t>(hash) & mask_; }
  static uint64_t Hash(std::string_view id);
  // The hash's top 4 bits pick the shard and its low bits the table slot (Home); the tag is its
  // high 32 bits. Tests model the shards with ShardOf, so both go through this one function.
  static size_t ShardIndex(uint64_t hash) { return hash >> 60; }
  static_assert(kShards == 16, "ShardIndex takes the hash's top 4 bits");
  Shard& ShardFor(uint64_t hash) const { return shards_[ShardIndex(hash)]; }

  const size_t per_shard_;  // capacity / kShards, rounded up
  const size_t mask_;  // table size - 1 (a power of two, at least twice per_shard_)
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace hookline
