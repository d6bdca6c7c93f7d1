// Host tests: ACPI table parsing on tables captured from QEMU (tools/capture_acpi.sh),
// and its refusal of corrupt ones.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "acpi/tables.h"

namespace {

// The captured machine: physical address -> table bytes, plus the RSDP.
struct CapturedTables {
    std::map<PhysAddr, std::vector<u8>> tables;
    std::vector<u8> rsdp;

    static const void* map(PhysAddr phys, usize length, void* context) {
        auto* self = static_cast<CapturedTables*>(context);
        for (auto& [base, bytes] : self->tables) {
            if (phys >= base && phys + length <= base + bytes.size()) return bytes.data() + (phys - base);
        }
        return nullptr;
    }
};

CapturedTables load(const std::string& machine) {
    CapturedTables captured;
    std::ifstream in(std::string(STRIX_TEST_DATA_DIR) + "/acpi/qemu-" + machine + ".txt");
    EXPECT_TRUE(in.good()) << "missing fixture for " << machine;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string tag, signature, phys_hex, offset_hex, hex;
        fields >> tag >> signature >> phys_hex >> offset_hex >> hex;
        std::vector<u8>& bytes = signature == "RSDP" ? captured.rsdp : captured.tables[std::stoull(phys_hex, nullptr, 16)];
        for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<u8>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return captured;
}

acpi::Rsdp rsdp_of(const CapturedTables& captured) {
    acpi::Rsdp rsdp{};
    std::memcpy(&rsdp, captured.rsdp.data(), std::min(sizeof(rsdp), captured.rsdp.size()));
    return rsdp;
}

class QemuTables : public ::testing::TestWithParam<std::string> {};

TEST_P(QemuTables, FindsEveryTableAndParsesThem) {
    CapturedTables captured = load(GetParam());
    static acpi::TableSet set;
    const char* reason = nullptr;
    ASSERT_TRUE(set.load(rsdp_of(captured), CapturedTables::map, &captured, &reason)) << reason;
    EXPECT_NE(set.find("FACP"), nullptr);
    EXPECT_NE(set.find("APIC"), nullptr);
    EXPECT_NE(set.find("HPET"), nullptr);
    ASSERT_NE(set.dsdt(), nullptr);

    acpi::MadtInfo madt;
    ASSERT_TRUE(acpi::parse_madt(*set.find("APIC"), madt));
    EXPECT_EQ(madt.lapic_address, 0xfee00000u);
    EXPECT_EQ(madt.cpu_count, 1u);
    EXPECT_TRUE(madt.cpus[0].enabled);
    ASSERT_EQ(madt.ioapic_count, 1u);
    EXPECT_EQ(madt.ioapics[0].address, 0xfec00000u);
    EXPECT_EQ(madt.ioapics[0].gsi_base, 0u);
    // QEMU routes the PIT's IRQ 0 to GSI 2.
    bool irq0_to_gsi2 = false;
    for (usize i = 0; i < madt.override_count; i++)
        irq0_to_gsi2 |= madt.overrides[i].source_irq == 0 && madt.overrides[i].gsi == 2;
    EXPECT_TRUE(irq0_to_gsi2);

    acpi::FadtInfo fadt;
    ASSERT_TRUE(acpi::parse_fadt(*set.find("FACP"), fadt));
    EXPECT_EQ(fadt.sci_interrupt, 9u);
    EXPECT_EQ(fadt.pm1a_control.address_space, acpi::ADDRESS_SPACE_IO);
    EXPECT_NE(fadt.pm1a_control.address, 0u);
    EXPECT_FALSE(fadt.hardware_reduced);

    acpi::HpetInfo hpet;
    ASSERT_TRUE(acpi::parse_hpet(*set.find("HPET"), hpet));
    EXPECT_EQ(hpet.address, 0xfed00000u);

    auto s5 = acpi::find_s5_sleep_type(*set.dsdt());
    ASSERT_TRUE(s5.has_value());
    EXPECT_EQ(s5->a, 0);
}

INSTANTIATE_TEST_SUITE_P(Machines, QemuTables, ::testing::Values("pc", "q35"));

TEST(QemuTables, Q35HasPcieConfigurationSpace) {
    CapturedTables captured = load("q35");
    static acpi::TableSet set;
    const char* reason = nullptr;
    ASSERT_TRUE(set.load(rsdp_of(captured), CapturedTables::map, &captured, &reason));
    acpi::McfgInfo mcfg;
    ASSERT_TRUE(acpi::parse_mcfg(*set.find("MCFG"), mcfg));
    ASSERT_EQ(mcfg.count, 1u);
    EXPECT_EQ(mcfg.segments[0].base, 0xb0000000u);
    EXPECT_EQ(mcfg.segments[0].start_bus, 0);
    EXPECT_EQ(mcfg.segments[0].end_bus, 255);
    acpi::FadtInfo fadt;
    ASSERT_TRUE(acpi::parse_fadt(*set.find("FACP"), fadt));
    EXPECT_TRUE(fadt.reset_supported);
    EXPECT_EQ(fadt.reset_register.address, 0xcf9u);
    EXPECT_EQ(fadt.reset_value, 0x0f);  // ICH9: full reset through 0xcf9
}

TEST(CorruptTables, BadRsdpIsRejected) {
    CapturedTables captured = load("pc");
    static acpi::TableSet set;
    const char* reason = nullptr;
    acpi::Rsdp rsdp = rsdp_of(captured);
    rsdp.checksum ^= 0x55;
    EXPECT_FALSE(set.load(rsdp, CapturedTables::map, &captured, &reason));
    EXPECT_STREQ(reason, "bad RSDP checksum");
    rsdp = rsdp_of(captured);
    rsdp.signature[0] = 'X';
    EXPECT_FALSE(set.load(rsdp, CapturedTables::map, &captured, &reason));
}

TEST(CorruptTables, ATableWithABadChecksumIsSkipped) {
    CapturedTables captured = load("pc");
    for (auto& [phys, bytes] : captured.tables) {
        if (std::memcmp(bytes.data(), "HPET", 4) == 0) bytes[40] ^= 0xff;
    }
    static acpi::TableSet set;
    const char* reason = nullptr;
    ASSERT_TRUE(set.load(rsdp_of(captured), CapturedTables::map, &captured, &reason));
    EXPECT_EQ(set.find("HPET"), nullptr);
    EXPECT_NE(set.find("APIC"), nullptr);
}

TEST(CorruptTables, MadtWithABadEntryLengthIsRejected) {
    CapturedTables captured = load("pc");
    for (auto& [phys, bytes] : captured.tables) {
        if (std::memcmp(bytes.data(), "APIC", 4) != 0) continue;
        bytes[45] = 0;  // first entry's length: zero would loop forever
        acpi::MadtInfo madt;
        EXPECT_FALSE(acpi::parse_madt(*reinterpret_cast<const acpi::SdtHeader*>(bytes.data()), madt));
        bytes[45] = 0xff;  // runs past the table
        EXPECT_FALSE(acpi::parse_madt(*reinterpret_cast<const acpi::SdtHeader*>(bytes.data()), madt));
    }
}

TEST(CorruptTables, TruncatedFadtIsRejected) {
    CapturedTables captured = load("pc");
    for (auto& [phys, bytes] : captured.tables) {
        if (std::memcmp(bytes.data(), "FACP", 4) != 0) continue;
        std::vector<u8> copy = bytes;
        reinterpret_cast<acpi::SdtHeader*>(copy.data())->length = 60;
        acpi::FadtInfo fadt;
        EXPECT_FALSE(acpi::parse_fadt(*reinterpret_cast<const acpi::SdtHeader*>(copy.data()), fadt));
    }
}

}  // namespace
