#pragma once
// UTC time <-> text. The one format stored and sent everywhere is ISO 8601 with milliseconds
// and a Z: 2026-01-09T05:38:01.449Z (seed 002). It sorts as text in time order.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace hookline {

// 2026-01-09T05:38:01.449Z (always 24 characters).
std::string FormatIsoMillis(SysTime t);
// YYYYMMDD of t in UTC, e.g. 20260109.
std::string FormatYmd(SysTime t);
// Parses what FormatIsoMillis writes, and also the forms a user types in a query:
// 2026-01-09, 2026-01-09T05:38:01Z, 2026-01-09T05:38:01.4Z, with +hh:mm offsets.
std::optional<SysTime> ParseIso(std::string_view text);

}  // namespace hookline
