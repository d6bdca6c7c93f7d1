// Host tests, storage: the virtio split ring against a simulated device that consumes the
// available ring and completes chains in any order, across 16-bit index wrap-around.
#include "drivers/virtio/split_ring.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <vector>

namespace {

using virtio::RingSegment;
using virtio::SplitRing;

struct Rings {
    explicit Rings(u16 size) : size(size) {
        descriptors = static_cast<vring_desc*>(std::aligned_alloc(16, 4096 * 4));
        available = static_cast<vring_avail*>(std::aligned_alloc(16, 4096 * 4));
        used = static_cast<vring_used*>(std::aligned_alloc(16, 4096 * 4));
        std::memset(descriptors, 0, 4096 * 4);
        std::memset(available, 0, 4096 * 4);
        std::memset(used, 0, 4096 * 4);
        ring.init(size, descriptors, available, used);
    }
    ~Rings() {
        std::free(descriptors);
        std::free(available);
        std::free(used);
    }
    u16 size;
    vring_desc* descriptors;
    vring_avail* available;
    vring_used* used;
    SplitRing ring;
};

// The device's side: reads new chains from the available ring, completes them later.
struct Device {
    explicit Device(Rings& r) : rings(r) {}
    Rings& rings;
    u16 seen = 0;        // available entries consumed
    u16 used_index = 0;  // what it has published
    std::vector<std::pair<u16, std::vector<RingSegment>>> pending;

    void fetch() {
        while (seen != rings.available->idx) {
            u16 head = rings.available->ring[seen % rings.size];
            std::vector<RingSegment> chain;
            u16 at = head;
            for (;;) {
                const vring_desc& d = rings.descriptors[at];
                chain.push_back({d.addr, d.len, (d.flags & VRING_DESC_F_WRITE) != 0});
                if (!(d.flags & VRING_DESC_F_NEXT)) break;
                at = d.next;
                EXPECT_LT(chain.size(), rings.size) << "chain loops";
            }
            pending.push_back({head, chain});
            seen++;
        }
    }
    void complete(usize which, u32 length) {
        auto [head, chain] = pending[which];
        pending.erase(pending.begin() + static_cast<long>(which));
        rings.used->ring[used_index % rings.size] = {head, length};
        used_index++;
        rings.used->idx = used_index;
    }
};

TEST(SplitRing, ChainsArriveAsPlacedAndComeBackFreed) {
    Rings r(8);
    Device device(r);
    RingSegment request[] = {{0x1000, 16, false}, {0x2000, 4096, true}, {0x3000, 1, true}};
    auto head = r.ring.add(request);
    ASSERT_TRUE(head);
    EXPECT_EQ(r.ring.free_count(), 5);
    EXPECT_EQ(r.ring.in_flight(), 1);
    device.fetch();
    ASSERT_EQ(device.pending.size(), 1u);
    EXPECT_EQ(device.pending[0].first, *head);
    ASSERT_EQ(device.pending[0].second.size(), 3u);
    EXPECT_EQ(device.pending[0].second[1].address, 0x2000u);
    EXPECT_TRUE(device.pending[0].second[1].device_writes);
    EXPECT_FALSE(device.pending[0].second[0].device_writes);
    EXPECT_FALSE(r.ring.pop_used());
    device.complete(0, 4097);
    auto used = r.ring.pop_used();
    ASSERT_TRUE(used);
    EXPECT_EQ(used->id, *head);
    EXPECT_EQ(used->length, 4097u);
    EXPECT_EQ(r.ring.free_count(), 8);
    EXPECT_EQ(r.ring.in_flight(), 0);
}

TEST(SplitRing, FullRingRefusesAndRecovers) {
    Rings r(4);
    Device device(r);
    RingSegment two[] = {{1, 1, false}, {2, 1, true}};
    ASSERT_TRUE(r.ring.add(two));
    ASSERT_TRUE(r.ring.add(two));
    EXPECT_EQ(r.ring.free_count(), 0);
    EXPECT_FALSE(r.ring.add(two));
    RingSegment one[] = {{3, 1, false}};
    EXPECT_FALSE(r.ring.add(one));
    EXPECT_FALSE(r.ring.add({}));  // an empty chain is never placed
    device.fetch();
    device.complete(1, 0);  // out of order
    ASSERT_TRUE(r.ring.pop_used());
    EXPECT_EQ(r.ring.free_count(), 2);
    EXPECT_TRUE(r.ring.add(two));
}

TEST(SplitRing, RandomTrafficAcrossIndexWrapAround) {
    // 200 000 chains through a 16-entry ring: the 16-bit indices wrap three times, the
    // device completes in random order, and every descriptor is accounted for.
    Rings r(16);
    Device device(r);
    std::mt19937 random(42);
    std::map<u16, u64> outstanding;  // head -> the tag placed in its first segment
    u64 next_tag = 1, completed = 0;
    while (completed < 200000) {
        if (random() % 2) {
            usize length = 1 + random() % 4;
            std::vector<RingSegment> chain;
            for (usize i = 0; i < length; i++)
                chain.push_back({next_tag * 16 + i, static_cast<u32>(i), i > 0});
            auto head = r.ring.add(chain);
            if (head) {
                ASSERT_EQ(outstanding.count(*head), 0u) << "head reused while in flight";
                outstanding[*head] = next_tag++;
            } else {
                EXPECT_LT(r.ring.free_count(), length);
            }
        }
        device.fetch();
        if (!device.pending.empty() && random() % 3 == 0) {
            usize which = random() % device.pending.size();
            EXPECT_EQ(device.pending[which].second[0].address, outstanding[device.pending[which].first] * 16);
            device.complete(which, 7);
        }
        while (auto used = r.ring.pop_used()) {
            ASSERT_EQ(outstanding.count(used->id), 1u);
            outstanding.erase(used->id);
            completed++;
        }
        usize descriptors_in_flight = 0;
        for (auto& [head, tag] : outstanding) {
            (void)tag;
            u16 at = head;
            descriptors_in_flight++;
            while (r.descriptors[at].flags & VRING_DESC_F_NEXT) {
                at = r.descriptors[at].next;
                descriptors_in_flight++;
            }
        }
        ASSERT_EQ(descriptors_in_flight + r.ring.free_count(), 16u);
    }
    EXPECT_GT(next_tag, 65536u * 3);
}

TEST(SplitRing, NotificationAndInterruptFlags) {
    Rings r(4);
    RingSegment one[] = {{1, 1, false}};
    ASSERT_TRUE(r.ring.add(one));
    EXPECT_TRUE(r.ring.device_wants_notification());
    r.used->flags = VRING_USED_F_NO_NOTIFY;
    EXPECT_FALSE(r.ring.device_wants_notification());
    r.ring.set_interrupts_enabled(false);
    EXPECT_EQ(r.available->flags, VRING_AVAIL_F_NO_INTERRUPT);
    r.ring.set_interrupts_enabled(true);
    EXPECT_EQ(r.available->flags, 0);
}

TEST(SplitRing, BrokenDeviceIdIsReturnedNotTrusted) {
    Rings r(4);
    RingSegment one[] = {{1, 1, false}};
    ASSERT_TRUE(r.ring.add(one));
    r.used->ring[0] = {999, 0};
    r.used->idx = 1;
    auto used = r.ring.pop_used();
    ASSERT_TRUE(used);
    EXPECT_EQ(used->id, 999 & 0xffff);
    EXPECT_EQ(r.ring.free_count(), 3);  // nothing was freed on its word
}

}  // namespace
