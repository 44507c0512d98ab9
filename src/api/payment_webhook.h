#pragma once
// POST /api/webhook/payment (seed 000): payment events from the payment service into EventLog,
// exactly once per event_id. See SPEC "Inbound" for the full contract.

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

void RegisterPaymentWebhook(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
