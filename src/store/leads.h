#pragma once
// Leads: the people who left their contacts on the landing page (table Lead, SPEC "Data").
//
// Contract for every backend:
// - One lead per email address, compared trimmed and case-insensitively (the api trims; the
//   database enforces lower(email) unique). Create with a new address inserts the lead AND its
//   `lead.created` EventLog row in one transaction: both or neither. Create with a known address
//   changes nothing and returns the stored lead with created = false; concurrent creates of one
//   address yield exactly one created = true.
// - Get returns the lead and its timeline: every EventLog row whose leadId is the lead's id,
//   plus the `landing` rows whose payload.anonymous_id is the lead's anonymous_id (the visits
//   before the visitor left contacts, when the page did not know the lead id yet). Oldest
//   first, each row once, at most kMaxTimeline rows (the newest ones when there are more).
// - List pages newest first by (createdAt, id), keyset, so rows do not shift as leads arrive.
//
// Thread-safe; answers through Callback (store/callback.h) on a store thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "store/callback.h"
#include "store/event_log.h"

namespace hookline::store {

struct LeadRecord {
  std::string id;
  std::string name;
  std::string email;
  std::string company;
  std::optional<std::string> phone;
  std::optional<std::string> message;
  std::optional<std::string> utm_source;
  std::optional<std::string> utm_medium;
  std::optional<std::string> utm_campaign;
  std::optional<std::string> utm_term;
  std::optional<std::string> utm_content;
  std::optional<std::string> referrer;
  std::optional<std::string> anonymous_id;
  SysTime created_at;
};

struct CreateLeadResult {
  LeadRecord lead;  // the new lead, or the one stored earlier with the same email
  bool created = false;
};

struct LeadDetail {
  LeadRecord lead;
  std::vector<EventRecord> timeline;  // oldest first
};

// GET /api/leads filters. `q` matches a substring of name, email or company, ignoring ASCII
// case; the characters % and _ in it match themselves.
struct LeadQuery {
  std::optional<std::string> q;
  int limit = 50;
  // Page after this (createdAt, id) position, from a previous page's last row.
  std::optional<std::pair<SysTime, std::string>> after;
};

// The LIKE pattern (with ESCAPE '\') that finds `q` as a substring: %, _ and the escape
// character itself in `q` match literally. Both backends search with it.
std::string LikeSubstringPattern(std::string_view q);

struct LeadPage {
  std::vector<LeadRecord> items;
  bool has_more = false;
};

class LeadStore {
 public:
  static constexpr int kMaxTimeline = 1000;

  virtual ~LeadStore() = default;

  // `created_event` is the lead.created row to insert with the lead (its leadId is set to
  // lead.id by the store). Answered after commit.
  virtual void Create(LeadRecord lead, EventRecord created_event,
                      Callback<CreateLeadResult> done) = 0;
  // kNotFound when there is no lead with this id.
  virtual void Get(std::string id, Callback<LeadDetail> done) = 0;
  virtual void List(LeadQuery query, Callback<LeadPage> done) = 0;
};

}  // namespace hookline::store
