// Host tests: the kernel log's record ring.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lib/log_ring.h"

namespace {

std::vector<std::string> read_all(const klib::LogRing& ring, klib::LogRing::Cursor& cursor) {
    std::vector<std::string> out;
    klib::LogEntry entry;
    while (ring.read(cursor, entry) == klib::LogRing::ReadStatus::Ok) out.emplace_back(entry.text);
    return out;
}

TEST(LogRing, KeepsRecordsInOrderWithMetadata) {
    alignas(8) static u8 buffer[1024];
    klib::LogRing ring(buffer, sizeof(buffer));
    ring.append(6, 100, "first");
    ring.append(3, 200, "second");
    auto cursor = ring.oldest();
    klib::LogEntry entry;
    ASSERT_EQ(ring.read(cursor, entry), klib::LogRing::ReadStatus::Ok);
    EXPECT_EQ(entry.seq, 0u);
    EXPECT_EQ(entry.level, 6);
    EXPECT_EQ(entry.timestamp_ns, 100u);
    EXPECT_EQ(entry.text, "first");
    ASSERT_EQ(ring.read(cursor, entry), klib::LogRing::ReadStatus::Ok);
    EXPECT_EQ(entry.seq, 1u);
    EXPECT_EQ(entry.text, "second");
    EXPECT_EQ(ring.read(cursor, entry), klib::LogRing::ReadStatus::End);
}

TEST(LogRing, DropsOldestWhenFullAndReaderNotices) {
    alignas(8) static u8 buffer[512];
    klib::LogRing ring(buffer, sizeof(buffer));
    auto cursor = ring.oldest();
    for (int i = 0; i < 100; i++) ring.append(6, i, "message " + std::to_string(i));
    EXPECT_GT(ring.first_seq(), 0u);
    EXPECT_EQ(ring.next_seq(), 100u);
    klib::LogEntry entry;
    EXPECT_EQ(ring.read(cursor, entry), klib::LogRing::ReadStatus::Overwritten);
    auto texts = read_all(ring, cursor);
    ASSERT_FALSE(texts.empty());
    EXPECT_EQ(texts.back(), "message 99");
    // Whatever survived is a contiguous run ending at the newest.
    size_t first = 100 - texts.size();
    for (size_t i = 0; i < texts.size(); i++) EXPECT_EQ(texts[i], "message " + std::to_string(first + i));
}

TEST(LogRing, WrapsManyTimesWithVaryingSizes) {
    alignas(8) static u8 buffer[1000];
    klib::LogRing ring(buffer, sizeof(buffer));
    uint64_t state = 12345;
    for (int i = 0; i < 5000; i++) {
        state = state * 6364136223846793005ull + 1;
        std::string text(static_cast<size_t>(state >> 58), 'a' + i % 26);
        text += std::to_string(i);
        ring.append(6, i, text);
        auto cursor = ring.oldest();
        auto texts = read_all(ring, cursor);
        ASSERT_FALSE(texts.empty());
        ASSERT_EQ(texts.back(), text);
        ASSERT_EQ(texts.size(), ring.next_seq() - ring.first_seq());
    }
}

TEST(LogRing, OverlongTextIsTruncated) {
    alignas(8) static u8 buffer[400];
    klib::LogRing ring(buffer, sizeof(buffer));
    ring.append(6, 0, std::string(1000, 'x'));
    auto cursor = ring.oldest();
    klib::LogEntry entry;
    ASSERT_EQ(ring.read(cursor, entry), klib::LogRing::ReadStatus::Ok);
    EXPECT_LT(entry.text.size(), 100u);
    EXPECT_GT(entry.text.size(), 0u);
}

}  // namespace
