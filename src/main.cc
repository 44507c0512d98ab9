// hookline: the command line. serve | migrate | verify | version.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "app/allocator.h"
#include "app/app.h"
#include "config/config.h"
#include "config/flags.h"
#include "signing/signing.h"
#include "store/store.h"

namespace {

constexpr int kExitConfig = 2;

std::string ReadAll(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// CLI11 names the flag ("Could not convert: --port = abc"); most users set the environment
// variable, so name that too.
std::string ExplainParseError(CLI::App& cli, std::string message) {
  const auto pos = message.find("--");
  if (pos == std::string::npos) return message;
  auto end = message.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", pos + 2);
  const std::string flag = message.substr(pos, end == std::string::npos ? end : end - pos);
  for (auto* sub : cli.get_subcommands({})) {
    try {
      const auto* opt = sub->get_option(flag);
      if (!opt->get_envname().empty()) {
        return message + " (environment variable " + opt->get_envname() + ")";
      }
    } catch (const CLI::OptionNotFound&) {
    }
  }
  return message;
}

}  // namespace

int main(int argc, char** argv) {
  using hookline::Config;
  CLI::App cli{
      "hookline: captures leads and funnel events, receives webhooks exactly once into one\n"
      "EventLog, and delivers signed webhooks with retries.\n"
      "Every flag of `serve` can also be given as the environment variable shown beside it."};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", std::string("hookline ") + HOOKLINE_VERSION);

  Config config;
  auto* serve = cli.add_subcommand("serve", "run the HTTP server (SQLite in ./data by default)");
  hookline::AddServeFlags(*serve, config);

  Config migrate_config;
  auto* migrate = cli.add_subcommand("migrate", "apply pending database migrations and exit");
  hookline::AddDatabaseFlags(*migrate, migrate_config);

  std::string secret, signature, file;
  auto* verify = cli.add_subcommand(
      "verify",
      "check an X-Webhook-Signature the way a receiver should (timing-safe); prints valid or "
      "invalid, exits 0 or 1");
  verify->add_option("--secret", secret, "the endpoint's signing secret")->required();
  verify->add_option("--signature", signature, "the X-Webhook-Signature value (hex)")->required();
  verify->add_option("file", file, "the raw body (standard input when omitted)");

  cli.add_subcommand("version", "print the version and the database schema version");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "hookline: invalid configuration: %s\n",
                 ExplainParseError(cli, e.what()).c_str());
    return kExitConfig;
  }

  if (serve->parsed()) {
    hookline::app::SetUpLogging(config.log_level);
    return hookline::app::RunServe(config);
  }
  if (migrate->parsed()) {
    hookline::app::SetUpLogging("info");
    return hookline::app::RunMigrate(migrate_config);
  }
  if (verify->parsed()) {
    std::string body;
    if (file.empty() || file == "-") {
      body = ReadAll(std::cin);
    } else {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "hookline: cannot read %s\n", file.c_str());
        return kExitConfig;
      }
      body = ReadAll(in);
    }
    const bool ok = hookline::signing::VerifySignature(secret, body, signature);
    std::puts(ok ? "valid" : "invalid");
    return ok ? 0 : 1;
  }
  std::printf("hookline %s (database schema %d, memory allocator %s)\n", HOOKLINE_VERSION,
              hookline::store::LatestSchemaVersion(hookline::DatabaseKind::kSqlite),
              hookline::app::MemoryAllocator().c_str());
  return 0;
}
