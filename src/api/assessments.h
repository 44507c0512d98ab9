#pragma once
// Founding Review assessments:
//   GET  /api/assessments/questions        (public) the questionnaire
//   POST /api/assessments                  (admin)  queue a review -> 202 {"assessment_id",
//                                                   "status":"queued"}; 422 names the field
//   GET  /api/assessments/{id}             (admin)  status, input, timestamps
//   GET  /api/assessments/{id}/report.pdf  (admin)  the PDF; 404 until it exists
// Rendering happens in the background (report/render_worker.h); the POST wakes it.

#include "api/context.h"
#include "http/router.h"

namespace hookline::api {

void RegisterAssessments(http::Router& router, ApiContext& ctx);

}  // namespace hookline::api
