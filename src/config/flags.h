#pragma once
// Binds every Config field to a flag of a CLI11 (sub)command, with its environment variable
// as the fallback (flag > environment > default). Called by main.cc only.

namespace CLI {
class App;
}

namespace hookline {

struct Config;

void AddServeFlags(CLI::App& cmd, Config& config);
// The subset `hookline migrate` needs (database and data folder).
void AddDatabaseFlags(CLI::App& cmd, Config& config);

}  // namespace hookline
