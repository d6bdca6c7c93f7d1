"""Tools, benchmarks: a writer for the newc cpio format (what Linux unpacks as an initramfs).

Written here rather than driving cpio(1) so the archive holds device nodes without needing
mknod or root, and is byte-for-byte reproducible (fixed inode numbers, owners and times).
Format: Linux Documentation/driver-api/early-userspace/buffer-format.rst.
"""
import stat

MAGIC = b"070701"


class NewcArchive:
    def __init__(self):
        self._chunks = []
        self._next_inode = 1

    def _entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        encoded_name = name.encode() + b"\0"
        fields = [
            self._next_inode, mode, 0, 0, nlink, 0, len(data),  # ino mode uid gid nlink mtime size
            0, 0, rdev[0], rdev[1],                                # dev major/minor, rdev major/minor
            len(encoded_name), 0,                                  # namesize, check
        ]
        self._next_inode += 1
        header = MAGIC + b"".join(b"%08X" % value for value in fields)
        self._chunks.append(header + encoded_name)
        self._pad()
        self._chunks.append(data)
        self._pad()

    def _pad(self):
        length = sum(len(c) for c in self._chunks)
        self._chunks.append(b"\0" * (-length % 4))

    def directory(self, name, permissions=0o755):
        self._entry(name, stat.S_IFDIR | permissions, nlink=2)

    def file(self, name, data, permissions=0o644):
        self._entry(name, stat.S_IFREG | permissions, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def char_device(self, name, major, minor, permissions=0o600):
        self._entry(name, stat.S_IFCHR | permissions, rdev=(major, minor))

    def offset(self):
        """Where the next entry's header will start (for tests that damage an archive)."""
        return sum(len(c) for c in self._chunks)

    def bytes(self):
        self._entry("TRAILER!!!", 0, nlink=1)
        return b"".join(self._chunks)
