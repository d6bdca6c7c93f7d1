// Host tests, tty: a terminal device for the line discipline to talk to — it records
// output (echoes included), signals, flushes and flow changes, with a settable room.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "drivers/tty/line_discipline.h"

class FakeTerminal : public tty::LineDisciplineHost {
public:
    FakeTerminal() : discipline(*this) {}

    usize output_room() override { return room; }
    void output(const u8* data, usize length) override {
        ASSERT_LE(length, room);
        written.append(reinterpret_cast<const char*>(data), length);
        if (room != UNLIMITED) room -= length;
    }
    void signal_foreground(tty::TtySignal signal) override { signals.push_back(signal); }
    void flush_output() override { output_flushes++; }
    void flow_changed() override { flow_changes++; }

    // Input as if typed; returns how many bytes the discipline took.
    usize type(const std::string& text) {
        return discipline.receive(reinterpret_cast<const u8*>(text.data()), text.size());
    }
    // A canonical read of at most `capacity` bytes.
    std::string read_line(usize capacity = 4096) {
        std::vector<u8> buffer(capacity);
        bool finished = false;
        usize n = discipline.read_line(buffer.data(), capacity, finished);
        last_line_finished = finished;
        return std::string(reinterpret_cast<char*>(buffer.data()), n);
    }
    std::string read_bytes(usize capacity = 4096) {
        std::vector<u8> buffer(capacity);
        usize n = discipline.read_bytes(buffer.data(), capacity);
        return std::string(reinterpret_cast<char*>(buffer.data()), n);
    }
    std::string take_output() {
        std::string text = written;
        written.clear();
        return text;
    }
    // Changes the settings through a callback on a copy, as tcsetattr would.
    template <typename Fn>
    void change(Fn&& fn) {
        termios2 settings = discipline.settings();
        fn(settings);
        discipline.set_settings(settings);
    }

    static constexpr usize UNLIMITED = usize(1) << 40;
    usize room = UNLIMITED;
    std::string written;
    std::vector<tty::TtySignal> signals;
    int output_flushes = 0;
    int flow_changes = 0;
    bool last_line_finished = false;
    tty::LineDiscipline discipline;
};
