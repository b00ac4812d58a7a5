import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls rolecall's own files are made with: no symbolic link is followed, nothing but a
/// regular file is read or replaced (a FIFO never blocks, a directory is not a state), temporary names are
/// unpredictable (mkstemp), new files are 0600 and a replaced file keeps its mode and owner.
enum SafeFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String

        /// `call`: the system's words for `errno`.
        static func posix(_ call: String) -> Failure { Failure(description: "\(call): \(String(cString: strerror(errno)))") }
    }

    /// Which file a path names: two paths name the same file when device and inode are equal.
    struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int
        var modifiedNanoseconds: Int

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        }

        func sameFile(as other: Identity) -> Bool { device == other.device && inode == other.inode }
    }

    /// lstat: what the path itself is (a link is not followed); nil when nothing is there.
    static func status(_ path: String, follow: Bool = false) throws(Failure) -> stat? {
        var info = stat()
        let result = follow ? stat(path, &info) : lstat(path, &info)
        if result == 0 { return info }
        if errno == ENOENT { return nil }
        throw .posix("stat \(path)")
    }

    static func isRegular(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFREG }

    /// "a symbolic link", "a FIFO", … for a file that is not a regular one.
    static func kind(_ info: stat) -> String {
        switch info.st_mode & S_IFMT {
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a FIFO"
        case S_IFDIR: return "a directory"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "a regular file"
        }
    }

    /// Opens a regular file for reading without following a link and without blocking on a FIFO.
    static func openRegular(_ path: String) throws(Failure) -> (fd: Int32, info: stat) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw Failure(description: "it is a symbolic link, which rolecall does not follow") }
            throw .posix("open")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw .posix("fstat")
        }
        guard isRegular(info) else {
            close(fd)
            throw Failure(description: "it is \(kind(info)), not a regular file")
        }
        return (fd, info)
    }

    /// Everything from `fd` to its end, read straight into one array of the expected size (one copy: the
    /// state of a 100k-member org is 26 MB), then in chunks if the file grew meanwhile.
    static func readAll(_ fd: Int32, sizeHint: Int) throws(Failure) -> [UInt8] {
        var failure: Failure?
        var filled = false
        var bytes = [UInt8](unsafeUninitializedCapacity: max(0, sizeHint) + 1) { buffer, count in
            count = 0
            while count < buffer.count {
                let n = read(fd, buffer.baseAddress.map { $0 + count }, buffer.count - count)
                if n < 0, errno == EINTR { continue }
                if n < 0 { failure = .posix("read") }
                if n <= 0 { return }
                count += n
            }
            filled = true
        }
        if let failure { throw failure }
        var chunk = [UInt8](repeating: 0, count: filled ? 65_536 : 0)
        while filled {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw .posix("read") }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    static func writeAll(_ fd: Int32, _ data: Data) throws(Failure) {
        var written = 0
        let ok = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard let base = raw.baseAddress else { return true }
            while written < raw.count {
                let n = write(fd, base + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return true
        }
        guard ok else { throw .posix("write") }
    }

    /// A new file with an unpredictable name beside `path` (`.NAME.XXXXXX`), created 0600 by mkstemp.
    static func temporary(beside path: String) throws(Failure) -> (fd: Int32, path: String) {
        var template = Array((folder(of: path) + "/." + (path as NSString).lastPathComponent + ".XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .posix("mkstemp in \(folder(of: path))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let name = template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return (fd, String(decoding: name, as: UTF8.self))
    }

    /// Gives `fd` the mode and owner of `original` (an owner change needs privileges; without them the
    /// file stays the writer's, as it would be anyway when the writer owns the original).
    static func copyModeAndOwner(of original: stat, to fd: Int32) throws(Failure) {
        guard fchmod(fd, original.st_mode & 0o7777) == 0 else { throw .posix("fchmod") }
        if original.st_uid != geteuid() || original.st_gid != getegid() {
            _ = fchown(fd, original.st_uid, original.st_gid)
        }
    }

    /// Writes `data` to a new temporary file beside `path` with `mode` (or 0600), flushed to disk.
    static func writeTemporary(_ data: Data, beside path: String, like original: stat?) throws(Failure) -> String {
        let (fd, temporary) = try temporary(beside: path)
        do throws(Failure) {
            defer { close(fd) }
            if let original { try copyModeAndOwner(of: original, to: fd) }
            try writeAll(fd, data)
            guard fsync(fd) == 0 else { throw Failure.posix("fsync") }
        } catch {
            unlink(temporary)
            throw error
        }
        return temporary
    }

    static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// Flushes a folder's entries (after a rename in it).
    static func syncFolder(of path: String) {
        let fd = open(folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
