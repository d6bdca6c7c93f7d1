// Host tests, storage: MBR and GPT parsing on images sfdisk wrote (the reference for
// numbering, offsets and PARTUUIDs), and on damaged tables built by hand.
#include "drivers/block/partition_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "host_shims.h"

namespace {

constexpr u64 SECTOR = 512;

struct Image {
    std::vector<u8> bytes;
    std::vector<u64> reads;  // sectors read, to check nothing reads past the end
};

ErrorOr read_image(void* context, u64 sector, u32 count, void* buffer) {
    auto* image = static_cast<Image*>(context);
    if ((sector + count) * SECTOR > image->bytes.size()) return err(EIO);
    image->reads.push_back(sector);
    std::memcpy(buffer, image->bytes.data() + sector * SECTOR, count * SECTOR);
    return {};
}

std::string work_path(const std::string& name) {
    std::string dir = STRIX_STORAGE_WORK_DIR;
    std::system(("mkdir -p '" + dir + "'").c_str());
    return dir + "/" + name;
}

// Writes `script` through sfdisk onto a zeroed image of `mib` MiB and loads it.
Image sfdisk_image(const std::string& name, u64 mib, const std::string& script) {
    std::string path = work_path(name);
    std::system(("rm -f '" + path + "' && truncate -s " + std::to_string(mib) + "M '" + path + "'").c_str());
    std::string command = "printf '" + script + "' | sfdisk -q '" + path + "' >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(path, std::ios::binary);
    Image image;
    image.bytes.assign(std::istreambuf_iterator<char>(in), {});
    return image;
}

// What sfdisk itself reports: "start sectors" per partition number, and PARTUUIDs.
struct Listed {
    u32 number;
    u64 start, sectors;
    std::string uuid;
};
std::vector<Listed> sfdisk_list(const std::string& name) {
    std::string path = work_path(name);
    std::string command = "sfdisk -d '" + path + "'";
    FILE* pipe = popen(command.c_str(), "r");
    std::vector<Listed> out;
    char line[512];
    while (pipe && std::fgets(line, sizeof(line), pipe)) {
        std::string text = line;
        auto colon = text.find(" : ");
        if (colon == std::string::npos || text.rfind(path, 0) != 0) continue;
        Listed l{};
        l.number = static_cast<u32>(std::stoul(text.substr(path.size(), colon - path.size())));
        auto field = [&](const std::string& key) -> std::string {
            auto at = text.find(key + "=");
            if (at == std::string::npos) return "";
            auto from = at + key.size() + 1;
            while (text[from] == ' ') from++;
            auto end = text.find_first_of(",\n", from);
            return text.substr(from, end - from);
        };
        l.start = std::stoull(field("start"));
        l.sectors = std::stoull(field("size"));
        l.uuid = field("uuid");
        for (char& c : l.uuid) c = static_cast<char>(std::tolower(c));
        out.push_back(l);
    }
    if (pipe) pclose(pipe);
    return out;
}

}  // namespace

namespace {
using block::PartitionTable;

PartitionTable parse_ok(Image& image, const char* name = "vdt") {
    auto result = block::read_partition_table(read_image, &image, image.bytes.size() / SECTOR, name);
    EXPECT_FALSE(result.is_error());
    return result.is_error() ? PartitionTable{} : result.release_value();
}

void expect_matches_sfdisk(const PartitionTable& table, const std::vector<Listed>& listed) {
    ASSERT_EQ(table.count, listed.size());
    for (usize i = 0; i < listed.size(); i++) {
        EXPECT_EQ(table.partitions[i].number, listed[i].number);
        EXPECT_EQ(table.partitions[i].start, listed[i].start);
        EXPECT_EQ(table.partitions[i].sectors, listed[i].sectors);
        if (!listed[i].uuid.empty()) {
            EXPECT_EQ(std::string(table.partitions[i].partuuid), listed[i].uuid);
        }
    }
}

TEST(PartitionTable, BlankDiskHasNoTable) {
    Image image;
    image.bytes.assign(4 << 20, 0);
    PartitionTable table = parse_ok(image);
    EXPECT_EQ(table.kind, PartitionTable::Kind::None);
    EXPECT_EQ(table.count, 0u);
}

TEST(PartitionTable, MbrPrimaryPartitions) {
    Image image =
        sfdisk_image("mbr_primary.img", 32, "label: dos\\nlabel-id: 0x12345678\\n,4M\\n,8M,b\\n,,83\\n");
    PartitionTable table = parse_ok(image);
    EXPECT_EQ(table.kind, PartitionTable::Kind::Mbr);
    auto listed = sfdisk_list("mbr_primary.img");
    expect_matches_sfdisk(table, listed);
    EXPECT_STREQ(table.partitions[0].partuuid, "12345678-01");
    EXPECT_EQ(table.partitions[1].mbr_type, 0x0b);
}

TEST(PartitionTable, MbrExtendedPartitionsNumberFromFive) {
    Image image = sfdisk_image("mbr_extended.img", 32, "label: dos\\n,4M\\n,,E\\n,4M\\n,4M\\n,4M\\n");
    PartitionTable table = parse_ok(image);
    auto listed = sfdisk_list("mbr_extended.img");
    // sfdisk lists the container with its whole size; Linux (and Strix) show it as 1 KiB.
    ASSERT_EQ(table.count, listed.size());
    for (usize i = 0; i < listed.size(); i++) {
        EXPECT_EQ(table.partitions[i].number, listed[i].number);
        EXPECT_EQ(table.partitions[i].start, listed[i].start);
        if (listed[i].number == 2) {
            EXPECT_EQ(table.partitions[i].sectors, 2u);
        } else {
            EXPECT_EQ(table.partitions[i].sectors, listed[i].sectors);
        }
    }
    EXPECT_EQ(table.partitions[table.count - 1].number, 7u);
}

TEST(PartitionTable, MbrEmptySlotLeavesAGap) {
    Image image = sfdisk_image("mbr_gap.img", 16, "label: dos\\n,4M\\n,4M\\n");
    // Clear slot 1: partition 2 stays number 2, as on Linux.
    std::memset(image.bytes.data() + 446, 0, 16);
    PartitionTable table = parse_ok(image);
    ASSERT_EQ(table.count, 1u);
    EXPECT_EQ(table.partitions[0].number, 2u);
}

TEST(PartitionTable, MbrPartitionPastTheEndIsTruncatedOrSkipped) {
    Image image = sfdisk_image("mbr_eod.img", 16, "label: dos\\n,4M\\n,4M\\n");
    host_klog_clear();
    // Partition 1 claims far more than the disk; partition 2 starts beyond it.
    u32 huge = 1u << 30, beyond = 1u << 29;
    std::memcpy(image.bytes.data() + 446 + 12, &huge, 4);
    std::memcpy(image.bytes.data() + 446 + 16 + 8, &beyond, 4);
    PartitionTable table = parse_ok(image);
    ASSERT_EQ(table.count, 1u);
    EXPECT_EQ(table.partitions[0].start + table.partitions[0].sectors, image.bytes.size() / SECTOR);
    EXPECT_NE(host_klog_text().find("extends beyond EOD"), std::string::npos);
    EXPECT_NE(host_klog_text().find("beyond EOD, skipped"), std::string::npos);
}

TEST(PartitionTable, LoopingExtendedChainStops) {
    Image image = sfdisk_image("mbr_loop.img", 32, "label: dos\\n,,E\\n,4M\\n,4M\\n");
    PartitionTable before = parse_ok(image);
    ASSERT_GE(before.count, 3u);
    // Point the first EBR's link back at itself.
    u32 extended_start;
    std::memcpy(&extended_start, image.bytes.data() + 446 + 8, 4);
    u8* ebr = image.bytes.data() + u64(extended_start) * SECTOR;
    u32 zero = 0;
    std::memcpy(ebr + 446 + 16 + 8, &zero, 4);
    host_klog_clear();
    PartitionTable table = parse_ok(image);
    EXPECT_EQ(table.count, 2u);  // the container and the first logical partition
    EXPECT_NE(host_klog_text().find("loops"), std::string::npos);
}

TEST(PartitionTable, BootSectorThatIsNotAnMbr) {
    Image image;
    image.bytes.assign(1 << 20, 0);
    image.bytes[510] = 0x55;
    image.bytes[511] = 0xaa;
    image.bytes[446] = 0x29;  // a FAT boot sector's bytes where status would be
    image.bytes[446 + 4] = 0x83;
    PartitionTable table = parse_ok(image);
    EXPECT_EQ(table.kind, PartitionTable::Kind::None);
}

TEST(PartitionTable, GptMatchesSfdisk) {
    Image image = sfdisk_image("gpt.img", 64, "label: gpt\\n,8M,L\\n,16M,U\\nsize=4M\\n,,L\\n");
    PartitionTable table = parse_ok(image);
    EXPECT_EQ(table.kind, PartitionTable::Kind::Gpt);
    expect_matches_sfdisk(table, sfdisk_list("gpt.img"));
}

// CRC-32 written independently of the kernel's, bit by bit.
u32 host_crc32(const u8* data, usize length) {
    u32 crc = 0xffffffffu;
    for (usize i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

TEST(PartitionTable, GptBadPrimaryUsesTheBackup) {
    Image image = sfdisk_image("gpt_backup.img", 32, "label: gpt\\n,4M\\n,4M\\n");
    auto listed = sfdisk_list("gpt_backup.img");
    image.bytes[SECTOR + 40] ^= 0xff;  // primary header's first usable LBA: the CRC no longer matches
    host_klog_clear();
    PartitionTable table = parse_ok(image);
    expect_matches_sfdisk(table, listed);
    EXPECT_NE(host_klog_text().find("primary GPT is not valid (header CRC mismatch)"), std::string::npos);
}

TEST(PartitionTable, GptBadEntriesEverywhereMeansNoPartitions) {
    Image image = sfdisk_image("gpt_bad.img", 32, "label: gpt\\n,4M\\n");
    image.bytes[2 * SECTOR + 40] ^= 1;  // primary entry array
    u64 last = image.bytes.size() / SECTOR - 1;
    image.bytes[(last - 32) * SECTOR + 40] ^= 1;  // backup entry array (32 sectors before the end)
    host_klog_clear();
    PartitionTable table = parse_ok(image);
    EXPECT_EQ(table.count, 0u);
    EXPECT_NE(host_klog_text().find("no valid GPT"), std::string::npos);
}

TEST(PartitionTable, GptHostileHeaderFieldsAreRefused) {
    Image image = sfdisk_image("gpt_hostile.img", 32, "label: gpt\\n,4M\\n");
    // A huge entry array that still carries a correct header CRC.
    u8* header = image.bytes.data() + SECTOR;
    u32 count = 0x10000000;
    std::memcpy(header + 80, &count, 4);
    u32 zero = 0;
    std::memcpy(header + 16, &zero, 4);
    u32 crc = host_crc32(header, 92);
    std::memcpy(header + 16, &crc, 4);
    // Break the backup too, so nothing valid is left.
    u64 last = image.bytes.size() / SECTOR - 1;
    image.bytes[last * SECTOR] ^= 0xff;
    PartitionTable table = parse_ok(image);
    EXPECT_EQ(table.count, 0u);
    for (u64 sector : image.reads) EXPECT_LT(sector, image.bytes.size() / SECTOR);
}

TEST(PartitionTable, GptEntryOutsideUsableAreaIsSkipped) {
    Image image = sfdisk_image("gpt_range.img", 32, "label: gpt\\n,4M\\n,4M\\n");
    // Entry 2's last LBA past the usable area; fix up both CRCs so only the range is wrong.
    u8* header = image.bytes.data() + SECTOR;
    u8* entries = image.bytes.data() + 2 * SECTOR;
    u64 huge = ~u64(0) >> 8;
    std::memcpy(entries + 128 + 40, &huge, 8);
    u32 entry_count, entry_size;
    std::memcpy(&entry_count, header + 80, 4);
    std::memcpy(&entry_size, header + 84, 4);
    u32 crc = host_crc32(entries, entry_count * entry_size);
    std::memcpy(header + 88, &crc, 4);
    u32 zero = 0;
    std::memcpy(header + 16, &zero, 4);
    crc = host_crc32(header, 92);
    std::memcpy(header + 16, &crc, 4);
    host_klog_clear();
    PartitionTable table = parse_ok(image);
    ASSERT_EQ(table.count, 1u);
    EXPECT_EQ(table.partitions[0].number, 1u);
    EXPECT_NE(host_klog_text().find("entry 2 lies outside the usable area"), std::string::npos);
}

TEST(PartitionTable, ReadErrorsAreReported) {
    Image image;
    image.bytes.assign(SECTOR, 0);  // one sector: the table read of sector 1+ fails
    auto result = block::read_partition_table(read_image, &image, 1000, "vdt");
    // Sector 0 reads (zeros, no table): nothing else is read.
    EXPECT_FALSE(result.is_error());
    Image empty;
    auto failing = block::read_partition_table(read_image, &empty, 1000, "vdt");
    ASSERT_TRUE(failing.is_error());
    EXPECT_EQ(failing.error().code(), EIO);
}

TEST(PartitionTable, GuidFormatting) {
    const u8 guid[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
                         0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
    char text[40];
    block::format_guid(guid, text, sizeof(text));
    EXPECT_STREQ(text, "0fc63daf-8483-4772-8e79-3d69d8477de4");  // the Linux filesystem type GUID
}

}  // namespace
