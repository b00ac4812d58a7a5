import Foundation

/// How manifests (and the state) are read from disk.
public struct ReadOptions: Sendable, Hashable {
    /// 256 MiB: far above any real manifest or state, far below what would exhaust memory.
    public static let defaultMaxFileSize = 256 << 20

    /// Larger files are refused, naming the file (`--max-file-size`).
    public var maxFileSize = ReadOptions.defaultMaxFileSize
    /// Follow manifest symbolic links that lead outside the manifest folder (`--follow-symlinks`).
    public var followSymlinks = false
    /// Files and folders left out of the manifest folder (`--exclude`): fnmatch(3) patterns matched
    /// against the path relative to the folder, `*` matching `/` too.
    public var exclude: [String] = []

    public init(maxFileSize: Int = ReadOptions.defaultMaxFileSize, followSymlinks: Bool = false, exclude: [String] = []) {
        self.maxFileSize = maxFileSize
        self.followSymlinks = followSymlinks
        self.exclude = exclude
    }
}

/// Why a file could not be read: the system's words (`Permission denied`, `Is a directory`…), or that
/// it is not a regular file or is too large.
struct FileReadFailure: Error {
    var reason: String

    /// The failure `errno` describes now.
    static var current: FileReadFailure { FileReadFailure(reason: String(cString: strerror(errno))) }

    static func tooLarge(_ limit: Int) -> FileReadFailure {
        FileReadFailure(reason: "it is larger than \(grouped(limit)) bytes, the limit (see --max-file-size)")
    }
}

/// What a file that is not a regular file is, for messages.
func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    default: return "not a regular file"
    }
}

/// The whole content of a regular file of at most `maxSize` bytes, read straight into one array of
/// the file's size (reading through `Data` and converting held two copies: 52 MB for the state of a
/// 100k-member org). A FIFO, a device (`/dev/zero`) or a socket is refused without reading from it
/// (opening does not wait for a FIFO's writer), and so is a file over the limit, even one that grows
/// while it is read.
func readFile(_ path: String, maxSize: Int = ReadOptions.defaultMaxFileSize) -> Result<[UInt8], FileReadFailure> {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { return .failure(.current) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failure(.current) }
    if info.st_mode & S_IFMT == S_IFDIR { return .failure(FileReadFailure(reason: String(cString: strerror(EISDIR)))) }
    guard info.st_mode & S_IFMT == S_IFREG else {
        return .failure(FileReadFailure(reason: "it is \(fileKind(info.st_mode)), not a regular file"))
    }
    guard Int(info.st_size) <= maxSize else { return .failure(.tooLarge(maxSize)) }
    var failure: FileReadFailure?
    var grew = false
    // One byte more than the size, to notice a file that grows while it is read.
    var bytes = [UInt8](unsafeUninitializedCapacity: max(0, Int(info.st_size)) + 1) { buffer, count in
        count = 0
        while count < buffer.count {
            let n = read(fd, buffer.baseAddress.map { $0 + count }, buffer.count - count)
            if n < 0, errno == EINTR { continue }
            if n < 0 { failure = .current }
            if n <= 0 { return }
            count += n
        }
        grew = true
    }
    if let failure { return .failure(failure) }
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while grew {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        if n < 0 { return .failure(.current) }
        if n == 0 { break }
        bytes += chunk[0..<n]
        if bytes.count > maxSize { return .failure(.tooLarge(maxSize)) }
    }
    return .success(bytes)
}
