// The model's runtime string table (model/strings.hpp), which the front end's string lowering
// relies on: equal contents get one id however they were built.
#include "model/string_format.hpp"
#include "model/strings.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mpcheck::model {
namespace {

TEST(StringTable, EqualContentsBuiltDifferentlyShareOneId) {
    StringTable table;
    std::string flat;
    for (int i = 0; i < 40000; ++i)
        flat += "ab";
    flat += "!";
    const StrContent as_runs = concat(repeat(StrContent::of("abab"), 20000), StrContent::of("!"));
    const StrContent as_text = normalize(StrContent::of(flat));
    const StrContent mixed = concat(
        concat(StrContent::of("a"), repeat(StrContent::of("ba"), 39999)), StrContent::of("b!"));
    EXPECT_EQ(as_runs.byte_size(), 80001u);
    const auto id = table.intern(as_runs);
    ASSERT_TRUE(id.has_value());
    EXPECT_TRUE(StringTable::is_runtime(*id));
    EXPECT_EQ(table.intern(as_text), id);
    EXPECT_EQ(table.intern(mixed), id);
    EXPECT_NE(table.intern(concat(as_runs, StrContent::of("?"))), id);
    EXPECT_NE(table.intern(StrContent::of(flat, true)), id); // bytes differ from str
    EXPECT_EQ(table.size(), 3u);
}

TEST(StringTable, LengthCountsCharactersAndUtf8Bytes) {
    const StrContent s = repeat(StrContent::of("h\xc3\xa9"), 1000000);
    EXPECT_EQ(s.length(), 2000000u);
    EXPECT_EQ(s.byte_size(), 3000000u);
    EXPECT_EQ(s.runs.size(), 1u); // 'hé' * 1000000 stays one small run
}

TEST(StringFormat, SpecsAgreeWithCPython) {
    auto fmt = [](std::int64_t v, const char* spec) {
        const auto f = detail::parse_spec(spec);
        EXPECT_TRUE(f.has_value()) << spec;
        return f ? detail::format_int(v, *f).value_or("<error>") : std::string("<bad>");
    };
    EXPECT_EQ(fmt(1234567, ","), "1,234,567");
    EXPECT_EQ(fmt(-5, "05"), "-0005");
    EXPECT_EQ(fmt(5, "^7"), "   5   ");
    EXPECT_EQ(fmt(255, "#x"), "0xff");
    EXPECT_EQ(fmt(5, ".2f"), "5.00");
    EXPECT_EQ(fmt(42, "%05d"), "00042");
    EXPECT_EQ(fmt(42, "%-4d"), "42  ");
    EXPECT_EQ(fmt(7, "*>+4"), "**+7");
    EXPECT_EQ(fmt(5, "s"), "<error>");                   // format(5, 's'): ValueError
    EXPECT_FALSE(detail::parse_spec(".2e").has_value()); // floats are not modelled
    EXPECT_EQ(detail::parse_int(" -1_000 "), -1000);
    EXPECT_FALSE(detail::parse_int("1__0").has_value());
    EXPECT_FALSE(detail::parse_int("3.5").has_value());
    EXPECT_EQ(detail::repr_of(StrContent::of("it's")).flat(), "\"it's\"");
    EXPECT_EQ(detail::repr_of(StrContent::of("a\n", true)).flat(), "b'a\\n'");
}

} // namespace
} // namespace mpcheck::model
