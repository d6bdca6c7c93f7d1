#!/usr/bin/env python3
"""Checks the vDSO image before the kernel embeds it (kernel/arch/x86_64/vdso/).

Usage: check_vdso.py VDSO_SO

What the kernel's mapping and the C libraries rely on, each a build failure if it breaks:
- an x86_64 ELF shared object, linked at 0, of at most MAX_PAGES pages;
- exactly one PT_LOAD, read+execute (never writable: W^X), at file offset 0 = address 0,
  so the mapped image starts with its ELF header and addresses equal file offsets;
- a PT_DYNAMIC with DT_HASH (musl counts symbols with it), DT_SYMTAB, DT_STRTAB, DT_VERSYM
  and DT_VERDEF, and no relocations at all (nobody relocates the vDSO);
- the five symbols of Linux's x86_64 vDSO, defined, under the version LINUX_2.6.
"""
import struct
import sys

MAX_PAGES = 4
EXPORTS = ["__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_clock_getres", "__vdso_getcpu"]
VERSION = "LINUX_2.6"

PT_LOAD, PT_DYNAMIC = 1, 2
PF_X, PF_W, PF_R = 1, 2, 4
DT_NULL, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_RELA, DT_STRSZ, DT_REL, DT_TEXTREL, DT_JMPREL = 0, 4, 5, 6, 7, 10, 17, 22, 23
DT_VERSYM, DT_VERDEF, DT_VERDEFNUM = 0x6ffffff0, 0x6ffffffc, 0x6ffffffd
DT_RELACOUNT, DT_RELCOUNT = 0x6ffffff9, 0x6ffffffa


def fail(message):
    sys.exit(f"check_vdso: {message}")


def c_string(data, offset):
    end = data.index(b"\0", offset)
    return data[offset:end].decode()


def check(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail("not a little-endian ELF64 file")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_type != 3 or e_machine != 62:
        fail(f"not an x86_64 shared object (type {e_type}, machine {e_machine})")
    if len(data) > MAX_PAGES * 4096:
        fail(f"{len(data)} bytes: more than the kernel's {MAX_PAGES} pages")
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    loads, dynamic = [], None
    for i in range(e_phnum):
        p_type, p_flags, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", data, e_phoff + i * e_phentsize)
        if p_type == PT_LOAD:
            loads.append((p_flags, p_offset, p_vaddr, p_filesz, p_memsz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if len(loads) != 1:
        fail(f"{len(loads)} PT_LOAD segments; the kernel maps exactly one")
    flags, offset, vaddr, filesz, memsz = loads[0]
    if flags != PF_R | PF_X:
        fail(f"the PT_LOAD segment's flags are {flags:#x}, not R+X")
    if offset != 0 or vaddr != 0 or filesz != memsz or filesz > len(data):
        fail("the PT_LOAD segment must map the file from offset 0 at address 0, with no .bss")
    if dynamic is None:
        fail("no PT_DYNAMIC")

    tags = {}
    at, end = dynamic[0], dynamic[0] + dynamic[1]
    while at + 16 <= end:
        tag, value = struct.unpack_from("<qQ", data, at)
        if tag == DT_NULL:
            break
        tags[tag] = value
        at += 16
    for tag, name in [(DT_RELA, "DT_RELA"), (DT_REL, "DT_REL"), (DT_JMPREL, "DT_JMPREL"),
                      (DT_TEXTREL, "DT_TEXTREL"), (DT_RELACOUNT, "DT_RELACOUNT"), (DT_RELCOUNT, "DT_RELCOUNT")]:
        if tag in tags:
            fail(f"has relocations ({name}): the vDSO must be position independent without them")
    for tag, name in [(DT_HASH, "DT_HASH"), (DT_SYMTAB, "DT_SYMTAB"), (DT_STRTAB, "DT_STRTAB"),
                      (DT_VERSYM, "DT_VERSYM"), (DT_VERDEF, "DT_VERDEF")]:
        if tag not in tags:
            fail(f"no {name}")

    strtab = tags[DT_STRTAB]
    versions = {}  # version index -> name
    at = tags[DT_VERDEF]
    for _ in range(tags.get(DT_VERDEFNUM, 64)):
        _, _, index, _, _, aux, following = struct.unpack_from("<HHHHIII", data, at)
        name_offset, = struct.unpack_from("<I", data, at + aux)
        versions[index] = c_string(data, strtab + name_offset)
        if not following:
            break
        at += following
    symbol_count, = struct.unpack_from("<I", data, tags[DT_HASH] + 4)  # nchain
    found = {}
    for i in range(1, symbol_count):
        st_name, st_info, _, st_shndx, st_value, _ = struct.unpack_from("<IBBHQQ", data, tags[DT_SYMTAB] + i * 24)
        name = c_string(data, strtab + st_name)
        version_index, = struct.unpack_from("<H", data, tags[DT_VERSYM] + i * 2)
        if st_shndx != 0 and st_info >> 4 in (1, 2) and st_info & 0xf == 2:  # defined GLOBAL/WEAK FUNC
            found[name] = (versions.get(version_index & 0x7fff), st_value)
    for name in EXPORTS:
        if name not in found:
            fail(f"does not export the function {name}")
        version, value = found[name]
        if version != VERSION:
            fail(f"{name} has version {version}, not {VERSION}")
        if not 0 < value < filesz:
            fail(f"{name} is at {value:#x}, outside the image")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        check(f.read())


if __name__ == "__main__":
    main()
