#include "api/routes.h"

#include "api/health.h"
#include "api/payment_webhook.h"

namespace hookline::api {

void RegisterRoutes(http::Router& router, ApiContext& ctx) {
  RegisterHealth(router, ctx);
  RegisterPaymentWebhook(router, ctx);
}

}  // namespace hookline::api
