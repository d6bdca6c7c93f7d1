// x86_64 time: the CMOS real-time clock (MC146818 registers, as on every PC).
#include "arch/x86_64/cpu/x86.h"
#include "arch/x86_64/time/clocks.h"
#include "lib/civil_time.h"

namespace x86 {
namespace {
u8 cmos_read(u8 reg) {
    outb(0x70, reg | 0x80);  // bit 7 keeps NMIs disabled while we poke CMOS
    io_delay();
    return inb(0x71);
}
u8 from_bcd(u8 v) { return (v & 0xf) + (v >> 4) * 10; }

struct RtcFields {
    u8 second, minute, hour, day, month, year, century;
    bool operator==(const RtcFields&) const = default;
};

RtcFields read_fields(u8 century_register) {
    while (cmos_read(0x0a) & 0x80) pause();  // update in progress
    return {cmos_read(0x00), cmos_read(0x02), cmos_read(0x04), cmos_read(0x07), cmos_read(0x08),
            cmos_read(0x09), century_register ? cmos_read(century_register) : u8(0)};
}
}  // namespace

i64 rtc_read_unix_seconds(u8 century_register) {
    // Read until two consecutive reads agree: an update may land between fields.
    RtcFields a = read_fields(century_register), b;
    for (int tries = 0; tries < 5 && !((b = read_fields(century_register)) == a); tries++) a = b;
    u8 status_b = cmos_read(0x0b);
    bool binary = status_b & 0x04, hour24 = status_b & 0x02;
    bool pm = a.hour & 0x80;
    a.hour &= 0x7f;
    if (!binary) {
        a.second = from_bcd(a.second);
        a.minute = from_bcd(a.minute);
        a.hour = from_bcd(a.hour);
        a.day = from_bcd(a.day);
        a.month = from_bcd(a.month);
        a.year = from_bcd(a.year);
        a.century = from_bcd(a.century);
    }
    if (!hour24) a.hour = (a.hour % 12) + (pm ? 12 : 0);
    if (a.month < 1 || a.month > 12 || a.day < 1 || a.day > 31 || a.hour > 23 || a.minute > 59 || a.second > 60)
        return 0;
    i64 year = a.century ? a.century * 100 + a.year : (a.year < 70 ? 2000 + a.year : 1900 + a.year);
    return klib::unix_seconds({year, a.month, a.day, a.hour, a.minute, a.second});
}
}  // namespace x86
