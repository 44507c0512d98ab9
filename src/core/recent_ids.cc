#include "core/recent_ids.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <new>

namespace hookline {

RecentIds::RecentIds(size_t capacity)
    : per_shard_(std::max<size_t>(1, (capacity + kShards - 1) / kShards)),
      mask_(std::bit_ceil(2 * per_shard_) - 1) {
  for (auto& shard : shards_) {
    shard.table.reset(static_cast<Slot*>(std::calloc(mask_ + 1, sizeof(Slot))));
    if (!shard.table) throw std::bad_alloc();
    shard.ring.reserve(per_shard_);
    shard.hashes.reserve(per_shard_);
  }
}

uint64_t RecentIds::Hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

bool RecentIds::Find(const Shard& shard, uint64_t hash, std::string_view id) const {
  const auto tag = static_cast<uint32_t>(hash >> 32);
  // The table is never more than half full, so a probe always ends at an empty slot.
  for (size_t i = Home(hash);; i = (i + 1) & mask_) {
    const Slot& s = shard.table[i];
    if (s.entry == 0) return false;
    if (s.tag == tag && shard.ring[s.entry - 1] == id) return true;
  }
}

void RecentIds::Insert(Shard& shard, uint64_t hash, size_t entry) {
  size_t i = Home(hash);
  while (shard.table[i].entry != 0) i = (i + 1) & mask_;
  shard.table[i] = Slot{static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(entry + 1)};
}

void RecentIds::Erase(Shard& shard, size_t entry) {
  size_t hole = Home(shard.hashes[entry]);
  while (shard.table[hole].entry != entry + 1) hole = (hole + 1) & mask_;
  // Backward-shift deletion: move later members of the probe run into the hole when their
  // home is not between the hole and where they sit, so no look-up ever stops early.
  for (size_t i = (hole + 1) & mask_; shard.table[i].entry != 0; i = (i + 1) & mask_) {
    const size_t home = Home(shard.hashes[shard.table[i].entry - 1]);
    const size_t from_home = (i - home) & mask_;  // how far the member sits past its home
    const size_t from_hole = (i - hole) & mask_;  // how far it sits past the hole
    if (from_home >= from_hole) {
      shard.table[hole] = shard.table[i];
      hole = i;
    }
  }
  shard.table[hole] = Slot{};
}

bool RecentIds::Contains(std::string_view id) const {
  const uint64_t hash = Hash(id);
  const Shard& shard = ShardFor(hash);
  std::lock_guard lock(shard.mu);
  return Find(shard, hash, id);
}

void RecentIds::Add(std::string_view id) {
  const uint64_t hash = Hash(id);
  Shard& shard = ShardFor(hash);
  std::lock_guard lock(shard.mu);
  if (Find(shard, hash, id)) return;
  size_t entry;
  if (shard.ring.size() < per_shard_) {
    entry = shard.ring.size();
    shard.ring.emplace_back(id);
    shard.hashes.push_back(hash);
  } else {
    entry = shard.oldest;
    shard.oldest = (shard.oldest + 1) % per_shard_;
    Erase(shard, entry);
    shard.ring[entry].assign(id);  // keeps the buffer when the new id fits
    shard.hashes[entry] = hash;
  }
  Insert(shard, hash, entry);
}

}  // namespace hookline
