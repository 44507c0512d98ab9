#pragma once
// Leads:
//   POST /api/leads        public, rate-limited per IP: the landing page form (lead-form.js)
//   GET  /api/leads        admin: newest first, ?q= search over name/email/company, paged
//   GET  /api/leads/{id}   admin: the lead and its timeline (store/leads.h)

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

inline constexpr size_t kMaxLeadBody = 32 * 1024;

void RegisterLeads(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
