import Foundation

/// When a failed request is tried again: on 429, 5xx, timeouts and dropped connections, with
/// exponential backoff and full jitter, honouring `Retry-After`, within a bounded number of attempts
/// and a bounded total wait. Other 4xx answers are final.
public struct ScimRetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// Most time spent waiting between attempts of one request.
    public var maxTotalWait: TimeInterval
    /// How long to pause; replaced in tests.
    public var sleep: @Sendable (TimeInterval) async -> Void

    public init(maxAttempts: Int = 8, baseDelay: TimeInterval = 0.05, maxDelay: TimeInterval = 5, maxTotalWait: TimeInterval = 60,
                sleep: @escaping @Sendable (TimeInterval) async -> Void = { try? await Task.sleep(nanoseconds: UInt64($0 * 1e9)) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotalWait = maxTotalWait
        self.sleep = sleep
    }

    /// Whether an answer with this status is worth another attempt.
    public static func isRetryable(status: Int) -> Bool { status == 429 || (500...599).contains(status) && status != 501 }

    /// The pause before attempt `attempt + 1` (attempt counts from 0): `Retry-After` when the server
    /// gave one, else a random share of `baseDelay * 2^attempt`, at most `maxDelay`.
    public func delay(attempt: Int, retryAfter: String?, random: Double = Double.random(in: 0...1)) -> TimeInterval {
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter) { return min(seconds, maxTotalWait) }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt)))
        return ceiling / 2 + ceiling / 2 * random
    }

    /// `Retry-After` as seconds (RFC 9110 10.2.3: a number of seconds or an HTTP date).
    public static func parseRetryAfter(_ text: String, now: Date = Date()) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// Sends `request` until it gets an answer that is not worth retrying, or the attempts or the
    /// total wait run out: then the last answer, or the last transport error, is what comes back.
    func run(_ request: ScimRequest, on transport: any ScimTransport) async throws -> ScimResponse {
        var waited: TimeInterval = 0
        var attempt = 0
        while true {
            let pause: TimeInterval
            do {
                let response = try await transport.send(request)
                guard Self.isRetryable(status: response.status) else { return response }
                pause = delay(attempt: attempt, retryAfter: response.headers["retry-after"])
                if attempt + 1 >= maxAttempts || waited + pause > maxTotalWait { return response }
            } catch {
                if error is CancellationError { throw error }
                pause = delay(attempt: attempt, retryAfter: nil)
                if attempt + 1 >= maxAttempts || waited + pause > maxTotalWait {
                    throw ScimError(status: nil, detail: "\(request.method) \(request.path): no answer after \(attempt + 1) attempts (\(error))",
                                    scimType: nil)
                }
            }
            await sleep(pause)
            waited += pause
            attempt += 1
        }
    }
}

/// A SCIM request that failed: the status, and the server's `detail` (RFC 7644 3.12) when it gave one.
public struct ScimError: Error, Sendable, CustomStringConvertible, Equatable {
    public var status: Int?
    public var detail: String
    public var scimType: String?

    public init(status: Int?, detail: String, scimType: String?) {
        self.status = status
        self.detail = detail
        self.scimType = scimType
    }

    init(_ request: ScimRequest, _ response: ScimResponse) {
        let json = response.json
        let detail = json?["detail"]?.stringValue
            ?? String(decoding: response.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        self.init(status: response.status, detail: "\(request.method) \(Self.pathOnly(request.path)): \(response.status)"
                  + (detail.isEmpty ? "" : ": \(detail)"), scimType: json?["scimType"]?.stringValue)
    }

    /// The path without its query (a filter holds an e-mail address, which is fine, but keeps messages short).
    private static func pathOnly(_ path: String) -> String { path.split(separator: "?").first.map(String.init) ?? path }

    public var description: String { detail }
}
