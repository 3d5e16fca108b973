#!/usr/bin/env python3
"""Marks version requirements of an ELF shared library weak (VER_FLG_WEAK in its .gnu.version_r entries).

Usage: weaken_verneed.py LIBRARY VERSION [VERSION ...]    e.g. weaken_verneed.py libLibTorchSharp.so GLIBCXX_3.4.32

TorchSharp 0.107.0's libLibTorchSharp.so was linked against a newer libstdc++ than Debian 12's (GCC 12) and so
requires GLIBCXX_3.4.32, for one symbol it never calls; the dynamic loader refuses the whole library for that.
A weak requirement that the system lacks is not an error for ld.so (glibc dl-version.c), so the library loads.
Plain struct parsing of ELF64 little-endian (x86-64, the only platform the runner patches); the file is rewritten
through a temporary file and a rename, so a hard link into the NuGet cache is never modified. Idempotent.
"""
import os
import struct
import sys

VER_FLG_WEAK = 0x2


def weaken(path, versions):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit(f"weaken_verneed: {path}: not a little-endian ELF64 file")
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def section(i):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info, sh_addralign, sh_entsize
        return struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)

    def cstr(offset):
        return bytes(data[offset:data.index(0, offset)]).decode()

    shstr = section(e_shstrndx)[4]
    sections = [section(i) for i in range(e_shnum)]
    verneed = [s for s in sections if cstr(shstr + s[0]) == ".gnu.version_r"]
    if not verneed:
        raise SystemExit(f"weaken_verneed: {path}: no .gnu.version_r section")
    _, _, _, _, offset, _, link, count, _, _ = verneed[0]
    strtab = sections[link][4]
    wanted, changed, found = set(versions), [], set()
    entry = offset
    for _ in range(count):
        _, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, entry)
        aux = entry + vn_aux
        for _ in range(vn_cnt):
            _, flags, _, name, vna_next = struct.unpack_from("<IHHII", data, aux)
            version = cstr(strtab + name)
            if version in wanted:
                found.add(version)
                if not flags & VER_FLG_WEAK:
                    struct.pack_into("<H", data, aux + 4, flags | VER_FLG_WEAK)
                    changed.append(f"{version} ({cstr(strtab + vn_file)})")
            aux += vna_next
        entry += vn_next
    missing = wanted - found
    if missing:
        print(f"weaken_verneed: {path}: no requirement {', '.join(sorted(missing))}", file=sys.stderr)
    if changed:
        tmp = path + ".weaken.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.chmod(tmp, os.stat(path).st_mode)
        os.replace(tmp, path)
        print(f"weaken_verneed: {path}: marked weak: {', '.join(changed)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    sys.exit(weaken(sys.argv[1], sys.argv[2:]))
