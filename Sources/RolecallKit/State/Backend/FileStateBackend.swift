import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded default: a JSON file, written atomically, with the previous version kept as
/// `<state>.backup` and an advisory lock on `<state>.lock` that dies with its holder.
///
/// Files: the state must be a regular file (a link, FIFO or folder is refused, never followed or waited on);
/// the lock is opened with O_NOFOLLOW; new versions are written to an mkstemp file (0600, or the mode and
/// owner of the state they replace) and renamed over the state. A write re-reads the current lineage and
/// serial under the lock and refuses to replace anything but the version it names.
public struct FileStateBackend: StateBackend {
    public var path: String
    /// How `lock` waits.
    public var retry: Retry
    /// The version last read or written, by the file's identity, so that a write under the lock need not
    /// decode the whole state again to learn its version (a new identity is decoded).
    private let known = KnownVersion()

    public init(path: String, retry: Retry = .standard) {
        self.path = path
        self.retry = retry
    }

    public var location: String { path }
    public var backupPath: String { path + ".backup" }
    public var lockPath: String { path + ".lock" }

    public func read() throws(StateError) -> State? {
        try readWithIdentity()?.state
    }

    private func readWithIdentity() throws(StateError) -> (state: State, identity: SafeFile.Identity)? {
        let opened: (fd: Int32, info: stat)
        do {
            guard try SafeFile.status(path) != nil else { return nil }
            opened = try SafeFile.openRegular(path)
        } catch {
            throw .unreadable(backend: path, reason: error.description)
        }
        defer { close(opened.fd) }
        let bytes: [UInt8]
        do {
            bytes = try SafeFile.readAll(opened.fd, sizeHint: Int(opened.info.st_size))
        } catch {
            throw .unreadable(backend: path, reason: error.description)
        }
        switch StateCodec.decode(bytes) {
        case let .success(state):
            let identity = SafeFile.Identity(opened.info)
            known.set(identity, StateVersion(lineage: state.lineage, serial: state.serial))
            return (state, identity)
        case let .failure(problem): throw .invalid(backend: path, problem: problem)
        }
    }

    /// The version on disk now (nil: no state), from the remembered identity when the file is the one last seen.
    private func currentVersion() throws(StateError) -> (version: StateVersion?, info: stat?) {
        let info: stat?
        do {
            info = try SafeFile.status(path)
        } catch {
            throw .unreadable(backend: path, reason: error.description)
        }
        guard let info else { return (nil, nil) }
        guard SafeFile.isRegular(info) else {
            throw .unwritable(backend: path, reason: "it is \(SafeFile.kind(info)), not a regular file; it was left untouched")
        }
        let identity = SafeFile.Identity(info)
        if let version = known.version(of: identity) { return (version, info) }
        guard let read = try readWithIdentity() else { return (nil, nil) }
        return (StateVersion(lineage: read.state.lineage, serial: read.state.serial), info)
    }

    public func write(_ state: State, replacing expected: StateVersion?, holding lock: any StateLock) throws(StateError) {
        guard let held = lock as? FileLock, held.path == lockPath, held.isHeld else { throw .notLocked(backend: path) }
        let writing = StateVersion(lineage: state.lineage, serial: state.serial)
        if let expected, expected.lineage != writing.lineage || writing.serial <= expected.serial {
            throw .fork(backend: path, expected: expected, writing: writing)
        }
        guard !state.lineage.isEmpty else { throw .fork(backend: path, expected: expected, writing: writing) }
        let (current, original) = try currentVersion()
        guard current == expected else { throw .conflict(backend: path, expected: expected, found: current) }
        do {
            try replace(with: StateCodec.encode(state), original: original)
        } catch {
            throw .unwritable(backend: path, reason: error.description)
        }
        if let info = try? SafeFile.status(path), SafeFile.isRegular(info) {
            known.set(SafeFile.Identity(info), writing)
        }
    }

    /// Writes a temporary file, keeps the current state as the backup, renames the new one into place.
    private func replace(with data: Data, original: stat?) throws(SafeFile.Failure) {
        let temporary = try SafeFile.writeTemporary(data, beside: path, like: original)
        do throws(SafeFile.Failure) {
            if original != nil { try keepBackup(original) }
            guard rename(temporary, path) == 0 else { throw SafeFile.Failure.posix("rename") }
        } catch {
            unlink(temporary)
            throw error
        }
        SafeFile.syncFolder(of: path)
    }

    /// The current state becomes `<state>.backup`: a hard link (atomic, no copy, same mode and owner),
    /// else a copy with the state's mode and owner. A link planted at the backup's name is replaced, not followed.
    private func keepBackup(_ original: stat?) throws(SafeFile.Failure) {
        unlink(backupPath)
        guard link(path, backupPath) != 0 else { return }
        let (fd, info) = try SafeFile.openRegular(path)
        defer { close(fd) }
        let bytes = try SafeFile.readAll(fd, sizeHint: Int(info.st_size))
        let copy = try SafeFile.writeTemporary(Data(bytes), beside: backupPath, like: original ?? info)
        guard rename(copy, backupPath) == 0 else {
            unlink(copy)
            throw .posix("rename to \(backupPath)")
        }
    }

    public func lock(owner: LockOwner, timeout: TimeInterval) throws(StateError) -> any StateLock {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link, which rolecall does not follow" : String(cString: strerror(errno))
            throw .unwritable(backend: path, reason: "lock \(lockPath): \(reason)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, SafeFile.isRegular(info) else {
            close(fd)
            throw .unwritable(backend: path, reason: "lock \(lockPath): it is \(SafeFile.kind(info)), not a regular file")
        }
        let taken = try retry.poll(for: timeout) { () throws(StateError) -> Bool? in
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw .unwritable(backend: path, reason: "lock \(lockPath): \(String(cString: strerror(errno)))")
            }
            return nil
        }
        guard taken != nil else {
            let holder = Self.holder(fd)
            close(fd)
            throw .locked(backend: path, holder: holder)
        }
        // Record the holder for whoever comes next. The record is advisory; the flock is the lock.
        let record = JSONValue.object([
            "pid": .int(Int(owner.pid)), "host": .string(owner.host), "user": .string(owner.user), "since": .string(owner.since),
        ]).pretty
        _ = ftruncate(fd, 0)
        _ = record.withCString { pwrite(fd, $0, strlen($0), 0) }
        _ = fsync(fd)
        return FileLock(fd: fd, path: lockPath)
    }

    private static func holder(_ fd: Int32) -> LockOwner? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return try? JSONDecoder().decode(LockOwner.self, from: Data(buffer[0..<n]))
    }

    public func ownsFile(atPath other: String) -> Bool {
        let own = [path, backupPath, lockPath]
        if let info = try? SafeFile.status(other, follow: true) {
            let target = SafeFile.Identity(info)
            return own.contains { mine in
                guard let mineInfo = try? SafeFile.status(mine, follow: true) else { return false }
                return SafeFile.Identity(mineInfo).sameFile(as: target)
            }
        }
        // Not there yet: the same name in the same folder (compared by the folder's identity) as a file to come.
        guard let folderInfo = try? SafeFile.status(SafeFile.folder(of: other), follow: true) else { return false }
        let folder = SafeFile.Identity(folderInfo)
        let name = (other as NSString).lastPathComponent
        return own.contains { mine in
            guard (mine as NSString).lastPathComponent == name,
                  let info = try? SafeFile.status(SafeFile.folder(of: mine), follow: true) else { return false }
            return SafeFile.Identity(info).sameFile(as: folder)
        }
    }
}

/// The version of the state file last read or written, by the file's identity.
private final class KnownVersion: Sendable {
    private let entry = Mutex<(identity: SafeFile.Identity, version: StateVersion)?>(nil)

    func set(_ identity: SafeFile.Identity, _ version: StateVersion) {
        entry.withLock { $0 = (identity, version) }
    }

    /// The version remembered for exactly this file (same inode, size and modification time), if any.
    func version(of identity: SafeFile.Identity) -> StateVersion? {
        entry.withLock { $0?.identity == identity ? $0?.version : nil }
    }
}

/// The name `FileStateBackend` had before it gained compare-and-swap.
public typealias FileStateStore = FileStateBackend

/// An flock held on an open descriptor: the kernel drops it when the process dies, even by SIGKILL.
final class FileLock: StateLock, Sendable {
    private let fd: Int32
    let path: String
    private let released = Mutex(false)

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    var isHeld: Bool { !released.withLock { $0 } }

    func release() {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }

    deinit { release() }
}
