#pragma once
// GET /api/stats/funnel?since=&until=&bucket=day (admin): visitors -> form starts -> leads ->
// paying leads, the rates between the steps, and the same counts per UTC day for the chart.
// The definitions of the counts are store/stats.h's.

#include <vector>

#include "api/context.h"
#include "http/router.h"
#include "store/stats.h"

namespace hookline::api {

void RegisterStats(http::Router& router, ApiContext& ctx);

// One entry per UTC day from the day of `since` up to (not including) `until`, with the
// store's counts where it has them and zeros elsewhere. Pure; exposed for unit tests.
std::vector<store::FunnelDay> FillDays(SysTime since, SysTime until,
                                       const std::vector<store::FunnelDay>& days);

}  // namespace hookline::api
