import Foundation

/// Why a file could not be read: the system's words (`Permission denied`, `Is a directory`…).
struct FileReadFailure: Error {
    var reason: String

    /// The failure `errno` describes now.
    static var current: FileReadFailure { FileReadFailure(reason: String(cString: strerror(errno))) }
}

/// The whole content of a file, read straight into one array of the file's size (reading through
/// `Data` and converting held two copies: 52 MB for the state of a 100k-member org).
func readFile(_ path: String) -> Result<[UInt8], FileReadFailure> {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .failure(.current) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failure(.current) }
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
    }
    return .success(bytes)
}
