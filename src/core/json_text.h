#pragma once
// JsonText: the JSON text of a Boost.JSON value, for everything hookline stores or answers.
//
// It is what boost::json::serialize writes, byte for byte, except for numbers held as a double
// (those with a fraction or an exponent, or too large for 64 bits). Boost 1.81 writes those in
// its Ryu printer's scientific form: 49.99 as "4.999E1", 1.0 as "1E0", 0.5 as "5E-1". That is
// valid JSON, but it is not what a payment service sent in `data`, and it is what a person
// reading a payload or the funnel's rates sees. JsonText writes the shortest decimal text that
// reads back as the same double (std::to_chars): 49.99, 1, 0.5, 1e+300. A double that is not
// finite (never parsed from JSON, only computed) is written as null, as JSON has no spelling
// for it.

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hookline {

std::string JsonText(const boost::json::value& v);

// Appends the text to `out` (no separator).
void AppendJsonText(std::string& out, const boost::json::value& v);

// The text of the top-level member `key` of `object_text`, exactly as it is there (without the
// white space around it), so that a payload can be kept as its sender wrote it: digits a double
// cannot hold (2^64 + 1, 0.1000000000000000055511) included. `object_text` must be a JSON
// object that a Boost.JSON parser has accepted; of duplicate keys, the last counts, as in the
// parsed object. nullopt when there is no such member. Keys are compared after unescaping.
std::optional<std::string_view> MemberText(std::string_view object_text, std::string_view key);

}  // namespace hookline
