#pragma once

// GoogleTest assertions over mpcheck reports. Header-only: the test links GTest itself.
//
//   EXPECT_MPCHECK_VIOLATES(kBuggy, "deadlock");   // Python source, checked with defaults
//   EXPECT_MPCHECK_FREE_OF(kFixed, "deadlock");
//   ASSERT_MPCHECK_OK(mpcheck::check_source(kFixed, "fixed.py", options));  // or a Report
//
// A failure prints the report as text: each violation with its numbered counterexample trace,
// then the summary line.

#include <gtest/gtest.h>

#include <algorithm>
#include <mpcheck/mpcheck.hpp>
#include <string>
#include <string_view>

namespace mpcheck::gtest {

/// The file name under which Python source given directly to an assertion is reported.
inline constexpr std::string_view kSourceName = "<string>";

namespace detail {

/// The subject's expression for messages: inline source is cut to its first line.
inline std::string subject_name(const char* expression) {
    const std::string_view text(expression);
    const std::size_t cut = text.find('\n');
    if (cut == std::string_view::npos && text.size() <= 60) return std::string(text);
    std::string name(text.substr(0, std::min<std::size_t>({cut, text.size(), 40})));
    name += "...";
    return name;
}

/// Fails when `property` is not one of the contract's ids (a typo would otherwise pass
/// every EXPECT_MPCHECK_FREE_OF).
inline ::testing::AssertionResult known_property(std::string_view property) {
    if (is_property_id(property)) return ::testing::AssertionSuccess();
    std::string ids;
    for (const std::string_view id : property_ids()) {
        if (!ids.empty()) ids += ", ";
        ids += id;
    }
    return ::testing::AssertionFailure()
           << "\"" << property << "\" is not an mpcheck property id; the ids are: " << ids;
}

/// A failure that names the subject and shows the whole report.
inline ::testing::AssertionResult failure(const char* subject, const Report& report,
                                          std::string_view expected) {
    return ::testing::AssertionFailure() << subject_name(subject) << ": expected " << expected
                                         << ", but the verdict is " << report.verdict << "\n"
                                         << report.text();
}

} // namespace detail

/// Predicate-formatter of EXPECT_MPCHECK_OK: the verdict is ok.
inline ::testing::AssertionResult assert_ok(const char* subject, const Report& report) {
    if (report.verdict == Verdict::ok) return ::testing::AssertionSuccess();
    return detail::failure(subject, report, "verdict ok");
}

/// Predicate-formatter of EXPECT_MPCHECK_OK on Python source (checked with default options).
inline ::testing::AssertionResult assert_ok(const char* subject, std::string_view source) {
    return assert_ok(subject, check_source(source, kSourceName));
}

/// Predicate-formatter of EXPECT_MPCHECK_FREE_OF: an exhaustive search found no violation of
/// `property` (an inconclusive search or a rejected input fails).
inline ::testing::AssertionResult assert_free_of(const char* subject, const char* /*property*/,
                                                 const Report& report, std::string_view property) {
    if (auto known = detail::known_property(property); !known) return known;
    if (report.free_of(property)) return ::testing::AssertionSuccess();
    std::string expected = "no ";
    expected += property;
    expected += " in any interleaving";
    return detail::failure(subject, report, expected);
}

/// Predicate-formatter of EXPECT_MPCHECK_FREE_OF on Python source.
inline ::testing::AssertionResult assert_free_of(const char* subject, const char* property_text,
                                                 std::string_view source,
                                                 std::string_view property) {
    return assert_free_of(subject, property_text, check_source(source, kSourceName), property);
}

/// Predicate-formatter of EXPECT_MPCHECK_VIOLATES: a counterexample for `property` was found.
inline ::testing::AssertionResult assert_violates(const char* subject, const char* /*property*/,
                                                  const Report& report, std::string_view property) {
    if (auto known = detail::known_property(property); !known) return known;
    if (report.violates(property)) return ::testing::AssertionSuccess();
    std::string expected = "a violation of ";
    expected += property;
    return detail::failure(subject, report, expected);
}

/// Predicate-formatter of EXPECT_MPCHECK_VIOLATES on Python source.
inline ::testing::AssertionResult assert_violates(const char* subject, const char* property_text,
                                                  std::string_view source,
                                                  std::string_view property) {
    return assert_violates(subject, property_text, check_source(source, kSourceName), property);
}

} // namespace mpcheck::gtest

/// Expects the verdict ok; `subject` is a mpcheck::Report or Python source.
#define EXPECT_MPCHECK_OK(subject) EXPECT_PRED_FORMAT1(::mpcheck::gtest::assert_ok, subject)
/// Asserts the verdict ok (returns from the test on failure).
#define ASSERT_MPCHECK_OK(subject) ASSERT_PRED_FORMAT1(::mpcheck::gtest::assert_ok, subject)
/// Expects that no interleaving violates `property` (the search must be exhaustive).
#define EXPECT_MPCHECK_FREE_OF(subject, property)                                                  \
    EXPECT_PRED_FORMAT2(::mpcheck::gtest::assert_free_of, subject, property)
/// Asserts that no interleaving violates `property`.
#define ASSERT_MPCHECK_FREE_OF(subject, property)                                                  \
    ASSERT_PRED_FORMAT2(::mpcheck::gtest::assert_free_of, subject, property)
/// Expects a counterexample for `property` (its trace is in the report).
#define EXPECT_MPCHECK_VIOLATES(subject, property)                                                 \
    EXPECT_PRED_FORMAT2(::mpcheck::gtest::assert_violates, subject, property)
/// Asserts a counterexample for `property`.
#define ASSERT_MPCHECK_VIOLATES(subject, property)                                                 \
    ASSERT_PRED_FORMAT2(::mpcheck::gtest::assert_violates, subject, property)
