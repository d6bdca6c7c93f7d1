// Kernel library: conversions between calendar dates and Unix time.
//
// days_from_civil is Howard Hinnant's public-domain algorithm (proleptic Gregorian),
// exact for every year the RTC can hold.
#pragma once

#include "lib/types.h"

namespace klib {

constexpr i64 days_from_civil(i64 year, unsigned month, unsigned day) {
    year -= month <= 2;
    const i64 era = (year >= 0 ? year : year - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<i64>(doe) - 719468;
}

struct CivilTime {
    i64 year;
    unsigned month, day, hour, minute, second;
};

constexpr i64 unix_seconds(const CivilTime& t) {
    return days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

constexpr CivilTime civil_from_unix(i64 seconds) {
    i64 days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    i64 rem = seconds - days * 86400;
    days += 719468;
    const i64 era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<i64>(yoe) + era * 400 + (month <= 2), month, day,
            static_cast<unsigned>(rem / 3600), static_cast<unsigned>(rem / 60 % 60), static_cast<unsigned>(rem % 60)};
}

}  // namespace klib
