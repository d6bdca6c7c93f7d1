// ext4: extended attributes — in the inode body after i_extra_isize and in one shared,
// reference-counted xattr block (Linux fs/ext4/xattr.c), with entry hashes, block hash and
// checksum. Every change gathers an inode's attributes, edits them, and lays them out
// again: the inode body first, the block for what does not fit.
#include <linux/limits.h>
#include <linux/xattr.h>

#include "fs/ext4/xattr.h"
#include "lib/crc32c.h"
#include "lib/string.h"
#include "log/klog.h"

namespace ext4 {
namespace {

constexpr u32 MAX_ITEMS = 1024;

struct Prefix {
    const char* text;
    u8 index;
    bool whole_name;  // the prefix is the full name (POSIX ACLs)
};
constexpr Prefix PREFIXES[] = {
    {"user.", XATTR_INDEX_USER, false},
    {"trusted.", XATTR_INDEX_TRUSTED, false},
    {"security.", XATTR_INDEX_SECURITY, false},
    {"system.posix_acl_access", XATTR_INDEX_POSIX_ACL_ACCESS, true},
    {"system.posix_acl_default", XATTR_INDEX_POSIX_ACL_DEFAULT, true},
};

const Prefix* prefix_for_index(u8 index) {
    for (const Prefix& prefix : PREFIXES)
        if (prefix.index == index) return &prefix;
    return nullptr;
}

// Linux: ext4_xattr_hash_entry.
u32 entry_hash(const XattrItem& item) {
    u32 hash = 0;
    for (u32 i = 0; i < item.name_length; i++)
        hash = (hash << 5) ^ (hash >> 27) ^ static_cast<unsigned char>(item.name[i]);
    for (u32 i = 0; i < xattr_value_size(item.value_size) / 4; i++) {
        u8 word[4] = {0, 0, 0, 0};
        for (u32 b = 0; b < 4 && i * 4 + b < item.value_size; b++) word[b] = item.value[i * 4 + b];
        hash = (hash << 16) ^ (hash >> 16) ^ load_le32(word);
    }
    return hash;
}

bool item_before(const XattrItem& a, const XattrItem& b) {
    if (a.index != b.index) return a.index < b.index;
    if (a.name_length != b.name_length) return a.name_length < b.name_length;
    return a.name_length && memcmp(a.name, b.name, a.name_length) < 0;
}

}  // namespace

struct XattrStore {
    Ext4Filesystem& fs;
    Inode& inode;
    u8* ibody = nullptr;  // copy of the in-inode area (after i_extra_isize)
    u32 ibody_size = 0;
    u8* block = nullptr;  // copy of the xattr block
    u64 block_number = 0;
    u32 refcount = 0;
    XattrItem* items = nullptr;
    u32 count = 0;

    XattrStore(Ext4Filesystem& f, Inode& i) : fs(f), inode(i) {}
    ~XattrStore() {
        delete[] ibody;
        delete[] block;
        delete[] items;
    }
    XattrStore(const XattrStore&) = delete;
    XattrStore& operator=(const XattrStore&) = delete;

    ErrorOr corrupt(const char* why) {
        pr_err("ext4 (%s): inode %u extended attributes: %s", fs.m_device.name(), inode.ino, why);
        return err(EFSCORRUPTED);
    }

    // Linux: ext4_xattr_check_entries. values is what e_value_offs counts from.
    ErrorOr parse(const u8* first, const u8* end, const u8* values, usize values_size) {
        for (const u8* at = first;;) {
            if (end - at < 4) return corrupt("entries run past the end");
            if (load_le32(at) == 0) return {};
            if (end - at < static_cast<isize>(sizeof(XattrEntry))) return corrupt("entry header runs past the end");
            const auto* entry = reinterpret_cast<const XattrEntry*>(at);
            u32 size = xattr_entry_size(entry->e_name_len);
            if (end - at < static_cast<isize>(size) + 4) return corrupt("entry runs past the end");
            if (entry->e_value_inum) return corrupt("value in an EA inode (ea_inode is not supported)");
            if (entry->e_value_size &&
                (entry->e_value_offs > values_size || entry->e_value_size > values_size - entry->e_value_offs))
                return corrupt("value out of bounds");
            if (count >= MAX_ITEMS) return corrupt("too many entries");
            items[count++] = XattrItem{entry->e_name_index, entry->e_name_len, reinterpret_cast<const char*>(entry + 1),
                                       entry->e_value_size, values + entry->e_value_offs};
            at += size;
        }
    }

    u32 block_checksum(const u8* data, u64 number) {
        u8 le[8];
        store_le32(le, static_cast<u32>(number));
        store_le32(le + 4, static_cast<u32>(number >> 32));
        u32 crc = klib::crc32c(fs.m_csum_seed, le, 8);
        crc = klib::crc32c(crc, data, offsetof(XattrBlockHeader, h_checksum));
        const u32 zero = 0;
        crc = klib::crc32c(crc, &zero, 4);
        u32 after = offsetof(XattrBlockHeader, h_checksum) + 4;
        return klib::crc32c(crc, data + after, fs.m_block_size - after);
    }

    ErrorOr load() {
        items = new (kstd::nothrow) XattrItem[MAX_ITEMS];
        if (!items) return err(ENOMEM);
        if (fs.m_inode_size > GOOD_OLD_INODE_SIZE + inode.extra_isize() + 4) {
            ibody_size = fs.m_inode_size - GOOD_OLD_INODE_SIZE - inode.extra_isize();
            ibody = new (kstd::nothrow) u8[ibody_size];
            if (!ibody) return err(ENOMEM);
            u32 offset;
            auto buffer = TRY(fs.inode_buffer(inode.ino, &offset));
            memcpy(ibody, buffer.data() + offset + GOOD_OLD_INODE_SIZE + inode.extra_isize(), ibody_size);
            if (load_le32(ibody) == XATTR_MAGIC)
                TRY(parse(ibody + 4, ibody + ibody_size, ibody + 4, ibody_size - 4));
        }
        block_number = inode.file_acl();
        if (block_number) {
            if (!fs.is_valid_data_block(block_number, 1)) return corrupt("xattr block outside the file system");
            block = new (kstd::nothrow) u8[fs.m_block_size];
            if (!block) return err(ENOMEM);
            auto buffer = TRY(fs.m_cache.get(block_number));
            memcpy(block, buffer.data(), fs.m_block_size);
            const auto* header = reinterpret_cast<const XattrBlockHeader*>(block);
            if (header->h_magic != XATTR_MAGIC || header->h_blocks != 1) return corrupt("bad block header");
            if (fs.has_metadata_csum() && header->h_checksum != block_checksum(block, block_number)) {
                pr_err("ext4 (%s): xattr block %llu checksum mismatch", fs.m_device.name(),
                       static_cast<unsigned long long>(block_number));
                return err(EFSBADCRC);
            }
            refcount = header->h_refcount;
            TRY(parse(block + sizeof(XattrBlockHeader), block + fs.m_block_size, block, fs.m_block_size));
        }
        return {};
    }

    XattrItem* find(u8 index, kstd::string_view suffix) {
        for (u32 i = 0; i < count; i++)
            if (items[i].index == index && items[i].name_length == suffix.size() &&
                (suffix.empty() || memcmp(items[i].name, suffix.data(), suffix.size()) == 0))
                return &items[i];
        return nullptr;
    }

    void remove(XattrItem* item) { *item = items[--count]; }

    // Writes entries and values of `chosen` into [area, area + size); values offsets count
    // from value_base. Returns false when they do not fit.
    static bool layout(u8* area, u32 size, u32 entries_start, const XattrItem* chosen, u32 n, bool hashes,
                       u32 value_base) {
        u32 entries_end = entries_start, values_start = size;
        for (u32 i = 0; i < n; i++) {
            entries_end += xattr_entry_size(chosen[i].name_length);
            values_start -= xattr_value_size(chosen[i].value_size);
        }
        if (entries_end + 4 > values_start || values_start > size) return false;
        u32 entry_at = entries_start, value_at = size;
        for (u32 i = 0; i < n; i++) {
            const XattrItem& item = chosen[i];
            auto* entry = reinterpret_cast<XattrEntry*>(area + entry_at);
            entry->e_name_len = item.name_length;
            entry->e_name_index = item.index;
            entry->e_value_inum = 0;
            entry->e_value_size = item.value_size;
            entry->e_value_offs = 0;
            if (item.value_size) {
                value_at -= xattr_value_size(item.value_size);
                memcpy(area + value_at, item.value, item.value_size);
                entry->e_value_offs = static_cast<u16>(value_at - value_base);
            }
            entry->e_hash = hashes ? entry_hash(item) : 0;
            if (item.name_length) memcpy(entry + 1, item.name, item.name_length);
            entry_at += xattr_entry_size(item.name_length);
        }
        return true;
    }

    ErrorOr store() {
        // The inode body takes what fits, in order; the rest goes to the block, sorted.
        XattrItem* in_body = new (kstd::nothrow) XattrItem[count + 1];
        XattrItem* in_block = new (kstd::nothrow) XattrItem[count + 1];
        u8* scratch = new (kstd::nothrow) u8[fs.m_block_size];
        OwnArray guard{in_body, in_block, scratch};
        if (!in_body || !in_block || !scratch) return err(ENOMEM);
        u32 body_count = 0, block_count = 0, body_used = 0;
        u32 body_capacity = ibody_size >= 8 ? ibody_size - 4 : 0;
        for (u32 i = 0; i < count; i++) {
            u32 need = xattr_entry_size(items[i].name_length) + xattr_value_size(items[i].value_size);
            if (body_used + need + 4 <= body_capacity) {
                in_body[body_count++] = items[i];
                body_used += need;
            } else {
                in_block[block_count++] = items[i];
            }
        }
        for (u32 i = 1; i < block_count; i++)
            for (u32 j = i; j > 0 && item_before(in_block[j], in_block[j - 1]); j--) kstd::swap(in_block[j], in_block[j - 1]);

        if (ibody_size) {
            u32 offset;
            auto buffer = TRY(fs.inode_buffer(inode.ino, &offset));
            u8* area = buffer.data() + offset + GOOD_OLD_INODE_SIZE + inode.extra_isize();
            memset(area, 0, ibody_size);
            if (body_count) {
                store_le32(area, XATTR_MAGIC);
                layout(area + 4, ibody_size - 4, 0, in_body, body_count, false, 0);
            }
        }
        if (block_count) {
            memset(scratch, 0, fs.m_block_size);
            if (!layout(scratch, fs.m_block_size, sizeof(XattrBlockHeader), in_block, block_count, true, 0))
                return err(ENOSPC);
            auto* header = reinterpret_cast<XattrBlockHeader*>(scratch);
            header->h_magic = XATTR_MAGIC;
            header->h_blocks = 1;
            u32 hash = 0;
            auto* entry = reinterpret_cast<XattrEntry*>(scratch + sizeof(XattrBlockHeader));
            for (u32 i = 0; i < block_count; i++) {
                hash = (hash << 16) ^ (hash >> 16) ^ entry->e_hash;
                entry = reinterpret_cast<XattrEntry*>(reinterpret_cast<u8*>(entry) + xattr_entry_size(entry->e_name_len));
            }
            header->h_hash = hash;
            u64 target = block_number;
            if (!block_number || refcount > 1) {
                if (block_number) TRY(drop_block_reference());
                u32 group = (inode.ino - 1) / fs.m_inodes_per_group;
                target = TRY(fs.allocate_metadata_block(fs.group_first_block(group)));
                fs.add_inode_blocks(inode, 1);
                inode.set_file_acl(target);
            }
            header->h_refcount = 1;
            if (fs.has_metadata_csum()) header->h_checksum = block_checksum(scratch, target);
            auto buffer = TRY(fs.m_cache.get_zeroed(target));
            memcpy(buffer.data(), scratch, fs.m_block_size);
            buffer.mark_dirty();
        } else if (block_number) {
            TRY(drop_block_reference());
            fs.add_inode_blocks(inode, -1);
            inode.set_file_acl(0);
        }
        return fs.write_inode(inode);
    }

    // This inode stops using its xattr block: the last user frees it.
    ErrorOr drop_block_reference() {
        if (refcount <= 1) return fs.free_blocks(block_number, 1);
        auto buffer = TRY(fs.m_cache.get(block_number));
        auto* header = reinterpret_cast<XattrBlockHeader*>(buffer.data());
        header->h_refcount = refcount - 1;
        if (fs.has_metadata_csum()) header->h_checksum = block_checksum(buffer.data(), block_number);
        buffer.mark_dirty();
        return {};
    }

    struct OwnArray {
        XattrItem* a;
        XattrItem* b;
        u8* c;
        ~OwnArray() {
            delete[] a;
            delete[] b;
            delete[] c;
        }
    };
};

ErrorOr Ext4Filesystem::parse_xattr_name(kstd::string_view name, XattrName* out) const {
    for (const Prefix& prefix : PREFIXES) {
        kstd::string_view text(prefix.text);
        if (prefix.whole_name ? name != text : name.substr(0, text.size()) != text) continue;
        out->index = prefix.index;
        out->suffix = prefix.whole_name ? kstd::string_view() : name.substr(text.size());
        if (!prefix.whole_name && out->suffix.empty()) return err(EINVAL);
        if (out->suffix.size() > NAME_LEN) return err(ERANGE);
        return {};
    }
    return err(EOPNOTSUPP);
}

Result<usize> Ext4Filesystem::getxattr(u32 ino, kstd::string_view name, kstd::span<u8> buffer) {
    XattrName parsed;
    TRY(parse_xattr_name(name, &parsed));
    Inode inode;
    TRY(load_inode(ino, inode));
    XattrStore store(*this, inode);
    TRY(store.load());
    XattrItem* item = store.find(parsed.index, parsed.suffix);
    if (!item) return err(ENODATA);
    kstd::span<const u8> value(item->value, item->value_size);
    if (parsed.index == XATTR_INDEX_POSIX_ACL_ACCESS || parsed.index == XATTR_INDEX_POSIX_ACL_DEFAULT)
        return acl_from_disk(value, buffer.empty() ? nullptr : buffer.data(), buffer.size());
    if (buffer.empty()) return static_cast<usize>(item->value_size);
    if (buffer.size() < item->value_size) return err(ERANGE);
    memcpy(buffer.data(), item->value, item->value_size);
    return static_cast<usize>(item->value_size);
}

Result<usize> Ext4Filesystem::listxattr(u32 ino, kstd::span<char> buffer) {
    Inode inode;
    TRY(load_inode(ino, inode));
    XattrStore store(*this, inode);
    TRY(store.load());
    usize size = 0;
    for (u32 i = 0; i < store.count; i++) {
        const XattrItem& item = store.items[i];
        const Prefix* prefix = prefix_for_index(item.index);
        if (!prefix) continue;
        usize prefix_length = kstd::string_view(prefix->text).size();
        usize length = prefix_length + (prefix->whole_name ? 0 : item.name_length) + 1;
        if (!buffer.empty()) {
            if (size + length > buffer.size()) return err(ERANGE);
            memcpy(buffer.data() + size, prefix->text, prefix_length);
            if (!prefix->whole_name) memcpy(buffer.data() + size + prefix_length, item.name, item.name_length);
            buffer[size + length - 1] = '\0';
        }
        size += length;
    }
    return size;
}

ErrorOr Ext4Filesystem::setxattr(u32 ino, kstd::string_view name, kstd::span<const u8> value, int flags) {
    TRY(require_writable());
    XattrName parsed;
    TRY(parse_xattr_name(name, &parsed));
    if (value.size() > XATTR_SIZE_MAX) return err(E2BIG);
    Inode inode;
    TRY(load_inode(ino, inode));
    XattrStore store(*this, inode);
    TRY(store.load());
    XattrItem* existing = store.find(parsed.index, parsed.suffix);
    if ((flags & XATTR_CREATE) && existing) return err(EEXIST);
    if ((flags & XATTR_REPLACE) && !existing) return err(ENODATA);
    u8* converted = nullptr;
    if (parsed.index == XATTR_INDEX_POSIX_ACL_ACCESS || parsed.index == XATTR_INDEX_POSIX_ACL_DEFAULT) {
        converted = new (kstd::nothrow) u8[value.size() + 4];
        if (!converted) return err(ENOMEM);
        auto size = acl_to_disk(value, converted, value.size() + 4);
        if (size.is_error()) {
            delete[] converted;
            return size.error();
        }
        value = kstd::span<const u8>(converted, size.value());
    }
    if (existing) store.remove(existing);
    if (store.count >= MAX_ITEMS) {
        delete[] converted;
        return err(ENOSPC);
    }
    store.items[store.count++] = XattrItem{parsed.index, static_cast<u8>(parsed.suffix.size()), parsed.suffix.data(),
                                           static_cast<u32>(value.size()), value.data()};
    if (!has_compat(COMPAT_EXT_ATTR)) {
        m_sb.s_feature_compat |= COMPAT_EXT_ATTR;
        m_superblock_dirty = true;
    }
    touch(inode, false, false, true);
    auto result = store.store();
    delete[] converted;
    TRY(result);
    return maybe_commit();
}

ErrorOr Ext4Filesystem::removexattr(u32 ino, kstd::string_view name) {
    TRY(require_writable());
    XattrName parsed;
    TRY(parse_xattr_name(name, &parsed));
    Inode inode;
    TRY(load_inode(ino, inode));
    XattrStore store(*this, inode);
    TRY(store.load());
    XattrItem* existing = store.find(parsed.index, parsed.suffix);
    if (!existing) return err(ENODATA);
    store.remove(existing);
    touch(inode, false, false, true);
    TRY(store.store());
    return maybe_commit();
}

ErrorOr Ext4Filesystem::xattr_release_block(Inode& inode) {
    u64 block = inode.file_acl();
    if (!block) return {};
    XattrStore store(*this, inode);
    if (!is_valid_data_block(block, 1)) return store.corrupt("xattr block outside the file system");
    auto buffer = TRY(m_cache.get(block));
    auto* header = reinterpret_cast<XattrBlockHeader*>(buffer.data());
    if (header->h_magic != XATTR_MAGIC) return store.corrupt("bad block header");
    store.block_number = block;
    store.refcount = header->h_refcount;
    buffer.release();
    TRY(store.drop_block_reference());
    add_inode_blocks(inode, -1);
    inode.set_file_acl(0);
    return {};
}

}  // namespace ext4
