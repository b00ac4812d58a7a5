import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where state lives. The planner never sees this; a PostgreSQL store fits behind the same protocol.
public protocol StateStore: Sendable {
    /// The current state; nil when there is none yet (first run).
    func read() throws(StateError) -> State?
    /// Replaces the state atomically: a reader sees the old or the new one, never a mix.
    func write(_ state: State) throws(StateError)
    /// Takes the exclusive lock that `apply` holds, waiting up to `timeout` seconds (0: fail at once).
    func lock(owner: LockOwner, timeout: TimeInterval) throws(StateError) -> StateLock
}

/// A held lock; released by `release()` or when the holding process ends.
public protocol StateLock: Sendable {
    func release()
}

/// Who holds the lock, recorded for whoever is kept waiting.
public struct LockOwner: Sendable, Hashable, Codable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    public var user: String
    public var since: String

    public init(pid: Int32, host: String, user: String, since: Date) {
        self.pid = pid
        self.host = host
        self.user = user
        self.since = Timestamp.format(since)
    }

    public var description: String { "\(user)@\(host), pid \(pid), since \(since)" }
}

public enum StateError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, problem: StateCodec.Failure)
    case unwritable(path: String, reason: String)
    case locked(path: String, holder: LockOwner?)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read state \(path): \(reason)"
        case let .invalid(path, problem): return "\(path): \(problem); it was left untouched"
        case let .unwritable(path, reason): return "cannot write state \(path): \(reason)"
        case let .locked(path, holder):
            let who = holder.map { "held by \($0)" } ?? "held by another process"
            return "state \(path) is locked (\(who)); wait for it to finish or use --lock-timeout"
        }
    }
}

/// The embedded default: a JSON file, written atomically, with the previous version kept as
/// `<state>.backup` and an advisory lock on `<state>.lock` that dies with its holder.
public struct FileStateStore: StateStore {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public var backupPath: String { path + ".backup" }
    public var lockPath: String { path + ".lock" }

    public func read() throws(StateError) -> State? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes: [UInt8]
        switch readFile(path) {
        case let .success(read): bytes = read
        case let .failure(failure): throw .unreadable(path: path, reason: failure.reason)
        }
        switch StateCodec.decode(bytes) {
        case let .success(state): return state
        case let .failure(problem): throw .invalid(path: path, problem: problem)
        }
    }

    public func write(_ state: State) throws(StateError) {
        let data = StateCodec.encode(state)
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = directory + "/." + ((path as NSString).lastPathComponent) + ".tmp-\(getpid())"
        do {
            try writeAndSync(data, to: temporary)
            if FileManager.default.fileExists(atPath: path) {
                // Keep the previous version: a hard link is atomic and costs no copy.
                unlink(backupPath)
                if link(path, backupPath) != 0 {
                    try writeAndSync(FileManager.default.contents(atPath: path) ?? Data(), to: backupPath)
                }
            }
            guard rename(temporary, path) == 0 else { throw posix("rename") }
            syncDirectory(directory)
        } catch {
            unlink(temporary)
            throw .unwritable(path: path, reason: String(describing: error))
        }
    }

    public func lock(owner: LockOwner, timeout: TimeInterval) throws(StateError) -> StateLock {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: lockPath, reason: String(cString: strerror(errno))) }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                let holder = Self.holder(fd)
                close(fd)
                throw .locked(path: path, holder: holder)
            }
            usleep(50_000)
        }
        // Record the holder for whoever comes next. The record is advisory; the flock is the lock.
        let record = JSONValue.object([
            "pid": .int(Int(owner.pid)), "host": .string(owner.host), "user": .string(owner.user), "since": .string(owner.since),
        ]).pretty
        _ = ftruncate(fd, 0)
        _ = record.withCString { pwrite(fd, $0, strlen($0), 0) }
        _ = fsync(fd)
        return FileLock(fd: fd)
    }

    private static func holder(_ fd: Int32) -> LockOwner? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return try? JSONDecoder().decode(LockOwner.self, from: Data(buffer[0..<n]))
    }

    private struct PosixFailure: Error, CustomStringConvertible {
        var description: String
    }

    private func posix(_ call: String) -> PosixFailure {
        PosixFailure(description: "\(call): \(String(cString: strerror(errno)))")
    }

    private func writeAndSync(_ data: Data, to file: String) throws(PosixFailure) {
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posix("open \(file)") }
        defer { close(fd) }
        var written = 0
        let ok = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard let base = raw.baseAddress else { return true }
            while written < raw.count {
                let n = Glibc.write(fd, base + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return true
        }
        guard ok else { throw posix("write \(file)") }
        guard fsync(fd) == 0 else { throw posix("fsync \(file)") }
    }

    private func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// An flock held on an open descriptor: the kernel drops it when the process dies, even by SIGKILL.
final class FileLock: StateLock, Sendable {
    private let fd: Int32
    private let released = Mutex(false)

    init(fd: Int32) {
        self.fd = fd
    }

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
