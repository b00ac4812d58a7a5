import Foundation

/// What `rolecall audit verify` found in an audit log.
public enum AuditVerdict: Sendable, Equatable {
    /// Every line chains to the one before. `unchainedPrefix` lines at the start were written before
    /// records were chained; `repaired` lines were cut short and are marked as such; `tornEnd` says
    /// whether the last line is cut short and not yet marked (the next append marks it).
    case intact(records: Int, unchainedPrefix: Int, repaired: [Int], tornEnd: Bool)
    /// No line carries `prev`: a log written before chaining; nothing can be verified.
    case unchained(records: Int)
    /// The first line (1-based) where the chain breaks, and why.
    case broken(line: Int, reason: String)
}

extension AuditLog {
    /// Reads the whole log and checks its chain (see `AuditLog`). A log that cannot be read is an error.
    public func verify() throws(StateError) -> AuditVerdict {
        let bytes: [UInt8]
        do {
            let (fd, info) = try SafeFile.openRegular(path)
            defer { close(fd) }
            bytes = try SafeFile.readAll(fd, sizeHint: Int(info.st_size))
        } catch {
            throw .unreadable(backend: path, reason: error.description)
        }
        return Self.verify(bytes)
    }

    /// The chain check over a log's bytes.
    public static func verify(_ bytes: [UInt8]) -> AuditVerdict {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let tornEnd = lines.last.map { !$0.isEmpty } ?? false
        if !tornEnd { lines.removeLast() }
        let records = lines.map(Self.record)
        var chained = false
        var unchainedPrefix = 0
        var repaired: [Int] = []
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard let record = records[index] else {
                // Not a record: only a cut-short line the next line marks as repaired, or the torn end.
                if index == lines.count - 1, tornEnd { break }
                if index + 1 < lines.count, case .string("repaired")? = records[index + 1]?["event"],
                   case .string(hash(line))? = records[index + 1]?["prev"] {
                    repaired.append(number)
                    continue
                }
                return .broken(line: number, reason: "line \(number) is not a JSON record")
            }
            guard let prev = record["prev"] else {
                if chained {
                    return .broken(line: number, reason: "line \(number) has no 'prev' after chained lines: it was inserted or edited")
                }
                unchainedPrefix += 1
                continue
            }
            chained = true
            let expected = index == 0 ? "" : hash(lines[index - 1])
            guard prev == .string(expected) else {
                let reason = index == 0
                    ? "line 1 names a line before it: the log's first lines were deleted"
                    : "line \(number) does not follow line \(index): a line was deleted, inserted or reordered there, or line \(index) was edited"
                return .broken(line: number, reason: reason)
            }
        }
        let count = records.count { $0 != nil && $0?["event"] == nil }
        if !chained { return .unchained(records: count) }
        return .intact(records: count, unchainedPrefix: unchainedPrefix,
                       repaired: repaired, tornEnd: tornEnd)
    }

    /// A line as a JSON object's members; nil when it is not one.
    private static func record(_ line: [UInt8]) -> [String: JSONValue]? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)), case let .object(members) = value else { return nil }
        return members
    }
}
