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

#include <string>

namespace hookline {

std::string JsonText(const boost::json::value& v);

// Appends the text to `out` (no separator).
void AppendJsonText(std::string& out, const boost::json::value& v);

}  // namespace hookline
