import Crypto
import Foundation

/// A `--state postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?name=STATE&sslmode=MODE` location.
///
/// The password comes from the URL or, as libpq users expect, from `PGPASSWORD`; it is kept apart from
/// `location` (what every error and log shows) so that it can never be printed.
public struct PostgresStateURL: Sendable, Equatable {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    /// The state's name inside the database (`?name=`, default `default`).
    public var name: String
    public var sslMode: SSLMode
    /// From the URL, else PGPASSWORD; never part of `location`.
    var password: String?

    /// Whether `text` names a PostgreSQL state rather than a file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`; errors name the URL without its password.
    public init(_ text: String, environment: [String: String] = [:]) throws(StateError) {
        let shown = Self.redact(text)
        func bad(_ reason: String) -> StateError { .unreadable(backend: shown, reason: reason) }
        guard Self.isPostgres(text), let parts = URLComponents(string: text) else {
            throw bad("not a postgres://USER@HOST[:PORT]/DATABASE?name=STATE URL")
        }
        guard let user = parts.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else { throw bad("the URL names no user") }
        guard let host = parts.host, !host.isEmpty else { throw bad("the URL names no host") }
        let database = String(parts.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else { throw bad("the URL names no database (postgres://USER@HOST/DATABASE)") }
        var name = "default"
        var mode = SSLMode.prefer
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "name":
                guard let value = item.value, !value.isEmpty else { throw bad("name= is empty") }
                name = value
            case "sslmode":
                guard let value = item.value, let known = SSLMode(rawValue: value) else {
                    throw bad("unknown sslmode '\(item.value ?? "")' (use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                mode = known
            default:
                throw bad("unknown parameter '\(item.name)' (rolecall reads name= and sslmode=)")
            }
        }
        self.user = user
        self.host = host
        self.port = parts.port ?? 5432
        self.database = database
        self.name = name
        self.sslMode = mode
        let fromURL = parts.password.flatMap { $0.removingPercentEncoding }
        self.password = fromURL ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL as errors, logs and plans show it: never with a password.
    public var location: String {
        var out = "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)?name=\(name)"
        if sslMode != .prefer { out += "&sslmode=\(sslMode.rawValue)" }
        return out
    }

    /// `text` with any password between `://USER:` and `@` replaced by `***` (for URLs that did not parse).
    public static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
              let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(rest[at...])
    }

    /// The advisory lock key for this state: two non-negative 32-bit halves of SHA-256("rolecall:" + name),
    /// so that the key depends on the state's name only (never on a row id) and is the same in every process.
    public var lockKey: (Int32, Int32) {
        let digest = Array(SHA256.hash(data: Data(("rolecall:" + name).utf8)))
        func half(_ at: Int) -> Int32 {
            Int32(bitPattern: digest[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7fff_ffff)
        }
        return (half(0), half(4))
    }
}
