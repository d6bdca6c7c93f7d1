// Host tests: calendar conversions used by the RTC driver, against the C library's timegm.
#include <gtest/gtest.h>

#include <ctime>

#include "lib/civil_time.h"

namespace {

TEST(CivilTime, MatchesTimegmOverCenturies) {
    for (long long t = -2208988800LL; t < 4102444800LL; t += 86400 * 37 + 3607) {
        time_t tt = static_cast<time_t>(t);
        struct tm tm_utc;
        gmtime_r(&tt, &tm_utc);
        klib::CivilTime c{tm_utc.tm_year + 1900, static_cast<unsigned>(tm_utc.tm_mon + 1),
                          static_cast<unsigned>(tm_utc.tm_mday), static_cast<unsigned>(tm_utc.tm_hour),
                          static_cast<unsigned>(tm_utc.tm_min), static_cast<unsigned>(tm_utc.tm_sec)};
        ASSERT_EQ(klib::unix_seconds(c), t);
        klib::CivilTime back = klib::civil_from_unix(t);
        ASSERT_EQ(back.year, c.year);
        ASSERT_EQ(back.month, c.month);
        ASSERT_EQ(back.day, c.day);
        ASSERT_EQ(back.hour, c.hour);
        ASSERT_EQ(back.minute, c.minute);
        ASSERT_EQ(back.second, c.second);
    }
}

TEST(CivilTime, KnownDates) {
    EXPECT_EQ(klib::unix_seconds({1970, 1, 1, 0, 0, 0}), 0);
    EXPECT_EQ(klib::unix_seconds({2000, 2, 29, 12, 0, 0}), 951825600);
    EXPECT_EQ(klib::unix_seconds({2038, 1, 19, 3, 14, 8}), 2147483648LL);
}

}  // namespace
