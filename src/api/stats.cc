#include "api/stats.h"

#include <chrono>

#include "api/paging.h"
#include "api/reply.h"
#include "api/views.h"
#include "core/json_text.h"
#include "core/time_format.h"

namespace hookline::api {
namespace {

using std::chrono::days;
constexpr int kDefaultDays = 30;
// Two years of days: a chart of more points than that says nothing, and it bounds the work.
constexpr int kMaxDays = 731;

// a / b, or null when there is nothing to divide by (the dashboard shows "—").
boost::json::value Rate(int64_t a, int64_t b) {
  if (b <= 0) return nullptr;
  return static_cast<double>(a) / static_cast<double>(b);
}

void PutCounts(boost::json::object& o, const store::FunnelCounts& c) {
  o["visitors"] = c.visitors;
  o["form_starts"] = c.form_starts;
  o["leads"] = c.leads;
  o["paying_leads"] = c.paying_leads;
  o["payments"] = c.payments;
}

void Funnel(ApiContext& ctx, const http::Request& req, http::Reply reply) {
  ParamError err;
  auto since = ParseTimeParam(req, "since", err);
  auto until = ParseTimeParam(req, "until", err);
  if (auto bucket = req.QueryParam("bucket"); bucket && !bucket->empty() && *bucket != "day") {
    if (!err) err.error = http::Response::Error(400, "bucket must be \"day\"");
  }
  if (err) return reply(std::move(*err.error));
  // Default: the last 30 UTC days, today included.
  const SysTime today = std::chrono::floor<days>(ctx.clock.Now());
  if (!until) until = today + days(1);
  if (!since) since = std::chrono::floor<days>(*until - std::chrono::milliseconds(1)) - days(kDefaultDays - 1);
  if (*since >= *until) return reply(http::Response::Error(400, "since must be before until"));
  if (*until - *since > days(kMaxDays)) {
    return reply(http::Response::Error(
        400, "the range from since to until may span at most " + std::to_string(kMaxDays) + " days"));
  }

  store::FunnelQuery q;
  q.since = *since;
  q.until = *until;
  q.payment_types = ctx.config.payment_success_types;
  ctx.store.stats().Funnel(
      q, [reply = std::move(reply), q](StatusOr<store::FunnelStats> r) {
        if (!r.ok()) return reply(StoreErrorReply(r.status(), "funnel stats"));
        const auto& t = r->totals;
        boost::json::object o;
        o["since"] = FormatIsoMillis(q.since);
        o["until"] = FormatIsoMillis(q.until);
        o["bucket"] = "day";
        PutCounts(o, t);
        boost::json::object rates;
        rates["visitor_to_form_start"] = Rate(t.form_starts, t.visitors);
        rates["form_start_to_lead"] = Rate(t.leads, t.form_starts);
        rates["visitor_to_lead"] = Rate(t.leads, t.visitors);
        rates["lead_to_paying"] = Rate(t.paying_leads, t.leads);
        o["rates"] = std::move(rates);
        boost::json::array types;
        for (const auto& type : q.payment_types) types.emplace_back(type);
        o["payment_types"] = std::move(types);
        boost::json::array buckets;
        for (const auto& day : FillDays(q.since, q.until, r->days)) {
          boost::json::object b;
          b["start"] = FormatIsoMillis(day.start);
          PutCounts(b, day.counts);
          buckets.push_back(std::move(b));
        }
        o["buckets"] = std::move(buckets);
        reply(http::Response::Json(200, JsonText(o)));
      });
}

}  // namespace

std::vector<store::FunnelDay> FillDays(SysTime since, SysTime until,
                                       const std::vector<store::FunnelDay>& days_in) {
  std::vector<store::FunnelDay> out;
  size_t next = 0;
  for (SysTime day = std::chrono::floor<days>(since); day < until; day += days(1)) {
    store::FunnelDay d{day, {}};
    while (next < days_in.size() && days_in[next].start < day) ++next;
    if (next < days_in.size() && days_in[next].start == day) d.counts = days_in[next].counts;
    out.push_back(d);
  }
  return out;
}

void RegisterStats(http::Router& router, ApiContext& ctx) {
  router.Add(
      http::Method::kGet, "/api/stats/funnel",
      [&ctx](const http::Request& req, http::Reply reply) {
        Funnel(ctx, req, NoStoreReply(std::move(reply)));
      },
      {.guard = NoStoreGuard(AdminGuard(ctx.admin_token))});
}

}  // namespace hookline::api
