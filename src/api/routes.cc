#include "api/routes.h"

#include "api/assessments.h"
#include "api/deliveries.h"
#include "api/endpoints.h"
#include "api/events.h"
#include "api/health.h"
#include "api/metrics.h"
#include "api/leads.h"
#include "api/pages.h"
#include "api/payment_webhook.h"
#include "api/stats.h"

namespace hookline::api {

void RegisterRoutes(http::Router& router, ApiContext& ctx) {
  RegisterHealth(router, ctx);
  RegisterPaymentWebhook(router, ctx);
  RegisterMetrics(router, ctx);
  RegisterEvents(router, ctx);
  RegisterLeads(router, ctx);
  RegisterStats(router, ctx);
  RegisterAssessments(router, ctx);
  RegisterEndpoints(router, ctx);
  RegisterDeliveries(router, ctx);
  RegisterPages(router, ctx);
}

}  // namespace hookline::api
