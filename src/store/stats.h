#pragma once
// Funnel statistics over EventLog and Lead (GET /api/stats/funnel): how many visitors became
// leads, and how many leads paid. Read-only; every backend answers the same numbers for the
// same rows (the definitions below are the contract).
//
// For a half-open time range [since, until) of EventLog.createdAt / Lead.createdAt:
// - visitors:     distinct payload.anonymous_id of source 'landing', type 'page_view' rows
// - form_starts:  distinct payload.anonymous_id of source 'landing', type 'form_start' rows
// - leads:        Lead rows created in the range
// - payments:     source 'payment_service' rows whose type is one of payment_types (whether or
//                 not they name a lead, or a lead this service knows)
// - paying_leads: distinct leadId of those payment rows that name a lead in the Lead table
//                 (a payment for a lead never seen here counts as a payment only)
// The same counts per UTC day (the day of createdAt), for the days that have any count,
// ascending; the caller fills in the empty days. A visitor seen on two days counts once in the
// totals and once in each day.
//
// Thread-safe; answers through Callback (store/callback.h) on a store thread.

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/callback.h"

namespace hookline::store {

struct FunnelCounts {
  int64_t visitors = 0;
  int64_t form_starts = 0;
  int64_t leads = 0;
  int64_t paying_leads = 0;
  int64_t payments = 0;
};

struct FunnelDay {
  SysTime start;  // 00:00:00 UTC of the day
  FunnelCounts counts;
};

struct FunnelQuery {
  SysTime since;
  SysTime until;
  // EventLog types (source payment_service) that mean "a payment succeeded"; not empty.
  std::vector<std::string> payment_types{"payment.succeeded"};
};

struct FunnelStats {
  FunnelCounts totals;
  std::vector<FunnelDay> days;  // only days with a non-zero count, ascending
};

class StatsStore {
 public:
  virtual ~StatsStore() = default;
  virtual void Funnel(FunnelQuery query, Callback<FunnelStats> done) = 0;
};

}  // namespace hookline::store
