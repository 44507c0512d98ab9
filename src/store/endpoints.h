#pragma once
// Endpoints: customers' webhook receivers (url, signing secret, subscribed event types,
// enabled flag). The secret is stored as given (it is needed to sign); api/ shows it only on
// creation and rotation, never in a list or a GET.
//
// Deleting an endpoint keeps its delivery history and fails its pending and in-flight
// deliveries ("endpoint deleted") in the same transaction. Disabling one pauses its deliveries:
// they stay pending and are not claimed until it is enabled again.
//
// All methods are thread-safe and asynchronous (store/callback.h); writes answer after commit.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/callback.h"

namespace hookline::store {

struct EndpointRecord {
  std::string id;  // "ep_" + random hex, chosen by the caller
  std::string url;
  std::string secret;
  std::vector<std::string> events;
  bool enabled = true;
  std::optional<std::string> description;
  SysTime created_at;
  SysTime updated_at;
};

// PATCH: only the fields that are set change.
struct EndpointPatch {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> events;
  std::optional<bool> enabled;
  std::optional<std::optional<std::string>> description;  // set to a value or to null
  std::optional<std::string> secret;                      // rotation
  SysTime now;
};

class EndpointStore {
 public:
  virtual ~EndpointStore() = default;
  // kAlreadyExists if the id is taken.
  virtual void Create(EndpointRecord e, Callback<EndpointRecord> done) = 0;
  virtual void Get(std::string id, Callback<EndpointRecord> done) = 0;  // kNotFound
  // Oldest first.
  virtual void List(Callback<std::vector<EndpointRecord>> done) = 0;
  // Applies the patch; answers the updated row, kNotFound when there is none.
  virtual void Update(std::string id, EndpointPatch patch, Callback<EndpointRecord> done) = 0;
  // kNotFound when there is none.
  virtual void Delete(std::string id, SysTime now, Callback<bool> done) = 0;
};

}  // namespace hookline::store
