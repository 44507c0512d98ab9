#include "core/recent_ids.h"

#include <functional>

namespace hookline {

RecentIds::RecentIds(size_t capacity) : per_shard_(capacity / kShards + 1) {}

RecentIds::Shard& RecentIds::ShardFor(std::string_view id) const {
  return shards_[std::hash<std::string_view>{}(id) % kShards];
}

bool RecentIds::Contains(std::string_view id) const {
  auto& shard = ShardFor(id);
  std::lock_guard lock(shard.mu);
  return shard.ids.find(id) != shard.ids.end();
}

void RecentIds::Add(std::string_view id) {
  auto& shard = ShardFor(id);
  std::lock_guard lock(shard.mu);
  if (shard.ids.contains(id)) return;
  shard.ids.insert(std::string_view(shard.order.emplace_back(id)));
  if (shard.order.size() > per_shard_) {
    shard.ids.erase(std::string_view(shard.order.front()));  // before the string goes
    shard.order.pop_front();
  }
}

}  // namespace hookline
