#pragma once
// The running service: builds the object graph from a Config, owns the threads, handles
// signals, and tears down in the safe order (HTTP server stops -> workers stop -> store commits
// and closes). Called from main.cc.
//
// Exit codes: 0 after a clean stop; 2 for invalid configuration (found before listening);
// 1 when the environment fails (database cannot open, port in use).

#include "config/config.h"

namespace hookline::app {

int RunServe(const Config& config);
int RunMigrate(const Config& config);

// Sets up spdlog: one line per message on stdout, UTC timestamps, asynchronous and buffered.
void SetUpLogging(const std::string& level);

}  // namespace hookline::app
