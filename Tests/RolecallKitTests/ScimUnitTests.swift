import Foundation
import Testing
@testable import RolecallKit

/// A SCIM server in memory for unit tests: answers with a closure, and records what was asked.
final class FakeTransport: ScimTransport, @unchecked Sendable {
    // Invariant: `requests` is only touched under `lock`.
    private let lock = NSLock()
    private var requests: [ScimRequest] = []
    let answer: @Sendable (ScimRequest, Int) throws -> ScimResponse

    init(_ answer: @escaping @Sendable (ScimRequest, Int) throws -> ScimResponse) { self.answer = answer }

    var sent: [ScimRequest] { lock.withLock { requests } }

    func send(_ request: ScimRequest) async throws -> ScimResponse {
        let index = lock.withLock { requests.append(request); return requests.count - 1 }
        return try answer(request, index)
    }
}

func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> ScimResponse {
    ScimResponse(status: status, headers: headers, body: Array(body.utf8))
}

let noWait = ScimRetryPolicy(sleep: { _ in })

@Suite("SCIM target settings")
struct ScimSettingsTests {
    let base = "org: acme\nsettings:\n  target:\n"

    @Test func parsesEveryKey() throws {
        let result = validate(base + "    type: scim\n    url: https://scim.example.com/v2/\n    token_env: ACME_TOKEN\n"
                              + "    roles_as: roles\n    on_remove: delete\n    parallelism: 8\n    member_removal: value\n")
        #expect(lines(result) == [])
        let target = try #require(result.manifest?.organizations.first?.settings.target)
        #expect(target.url == "https://scim.example.com/v2")
        #expect(target.tokenEnv == "ACME_TOKEN")
        #expect(target.rolesAs == .roles && target.onRemove == .delete && target.parallelism == 8 && target.memberRemoval == .value)
    }

    /// (code, line, column) of each diagnostic.
    func found(_ result: LoadResult) -> [String] {
        result.diagnostics.map { "\($0.code.id) \($0.location?.line ?? 0):\($0.location?.column ?? 0)" }
    }

    @Test func reportsEachProblemAtItsPlace() {
        #expect(found(validate(base + "    type: scimm\n    url: https://x.example/v2\n    token_env: T\n")) == ["RC2118 4:11"])
        let both = validate(base + "    type: scim\n    url: https://x.example/v2\n    url_env: X\n    token_env: T\n    parallelism: 0\n    roles_as: group\n")
        #expect(found(both) == ["RC2118 5:10", "RC2118 8:18", "RC2118 9:15"])
        let bad = validate(base + "    type: scim\n    url: ftp://x\n    token_env: \"abc def\"\n    tokn: 1\n")
        #expect(Set(found(bad)) == ["RC2009 7:5", "RC2118 5:10", "RC2118 6:16"])
        let missing = validate(base + "    type: scim\n")
        #expect(Set(found(missing)) == ["RC2002 4:5"] || found(missing).allSatisfy { $0.hasPrefix("RC2002") })
        #expect(found(missing).count == 2)
        // The token's value never belongs in a manifest: only a variable name is accepted.
        #expect(found(validate(base + "    type: scim\n    url: https://x.example\n    token_env: sk-live-123\n")) == ["RC2118 6:16"])
    }
}

@Suite("SCIM client")
struct ScimClientTests {
    @Test func retryAfterIsHonouredAndDelaysAreBounded() {
        let policy = ScimRetryPolicy(baseDelay: 0.1, maxDelay: 2, maxTotalWait: 30)
        #expect(policy.delay(attempt: 0, retryAfter: "7") == 7)
        #expect(policy.delay(attempt: 3, retryAfter: nil, random: 1) == 0.8)
        #expect(policy.delay(attempt: 3, retryAfter: nil, random: 0) == 0.4)
        #expect(policy.delay(attempt: 20, retryAfter: nil, random: 1) == 2)
        let soon = Date(timeIntervalSince1970: 1_000_000)
        #expect(ScimRetryPolicy.parseRetryAfter("Mon, 12 Jan 1970 13:46:50 GMT", now: soon) == 10)
        #expect(ScimRetryPolicy.isRetryable(status: 429) && ScimRetryPolicy.isRetryable(status: 503))
        #expect(!ScimRetryPolicy.isRetryable(status: 400) && !ScimRetryPolicy.isRetryable(status: 409) && !ScimRetryPolicy.isRetryable(status: 501))
    }

    @Test func retriesTransientAnswersThenSucceeds() async throws {
        let fake = FakeTransport { _, i in
            if i == 0 { return json(429, "{}", headers: ["retry-after": "0"]) }
            if i == 1 { return json(503, "{}") }
            if i == 2 { throw URLError(.networkConnectionLost) }
            return json(201, #"{"id":"u1","userName":"a@x.io"}"#, headers: ["etag": "W/\"3\""])
        }
        let created = try await ScimClient(transport: fake, retry: noWait).create("Users", .object([:]))
        #expect(created.id == "u1" && created.version == "W/\"3\"")
        #expect(fake.sent.count == 4)
    }

    @Test func otherClientErrorsAreFinalWithTheServersDetail() async {
        let fake = FakeTransport { _, _ in json(400, #"{"detail":"userName is required","scimType":"invalidValue"}"#) }
        await #expect(throws: ScimError(status: 400, detail: "POST /Users: 400: userName is required", scimType: "invalidValue")) {
            _ = try await ScimClient(transport: fake, retry: noWait).create("Users", .object([:]))
        }
        #expect(fake.sent.count == 1)
    }

    @Test func theTotalNumberOfAttemptsIsBounded() async {
        let fake = FakeTransport { _, _ in json(500, #"{"detail":"down"}"#) }
        var retry = noWait
        retry.maxAttempts = 3
        await #expect(throws: ScimError.self) { _ = try await ScimClient(transport: fake, retry: retry).get("Users", id: "x") }
        #expect(fake.sent.count == 3)
    }

    @Test func pagesAreReadUntilTotalResultsWhateverThePageSize() async throws {
        // 23 users, pages of at most 7 whatever `count` asks for.
        let fake = FakeTransport { request, _ in
            let start = Int(request.path.split(separator: "startIndex=")[1].prefix { $0.isNumber }) ?? 1
            let ids = (start..<min(start + 7, 24)).map { #"{"id":"u\#($0)","userName":"u\#($0)@x.io"}"# }
            return json(200, #"{"totalResults":23,"itemsPerPage":\#(ids.count),"startIndex":\#(start),"Resources":[\#(ids.joined(separator: ","))]}"#)
        }
        let all = try await ScimClient(transport: fake, retry: noWait).list("Users")
        #expect(all.map(\.id) == (1...23).map { "u\($0)" })
        #expect(fake.sent.count == 4)
    }

    @Test func patchAcceptsTwoHundredWithABodyOrNoContent() async throws {
        let fake = FakeTransport { _, i in i == 0 ? json(204, "") : json(200, #"{"id":"g1","displayName":"ops"}"#) }
        let client = ScimClient(transport: fake, retry: noWait)
        #expect(try await client.patch("Groups", id: "g1", []) == nil)
        #expect(try await client.patch("Groups", id: "g1", [])?.id == "g1")
    }

    @Test func roleGroupNamesRoundTrip() {
        #expect(ScimRole(groupName: "role:admin") == ScimRole(app: nil, role: "admin"))
        #expect(ScimRole(groupName: "role:web:read") == ScimRole(app: "web", role: "read"))
        #expect(ScimRole(groupName: "backend") == nil && ScimRole(groupName: "role:") == nil)
        #expect(ScimRole(app: "web", role: "read").groupName == "role:web:read")
    }
}

@Suite("Progress bar")
struct ProgressBarTests {
    @Test func showsDoneTotalRateAndETA() {
        #expect(ProgressBar.line(done: 500, total: 2000, elapsed: 2, width: 8) == "[##......]   500/2000  25%  250/s  ETA 6s")
        #expect(ProgressBar.line(done: 2000, total: 2000, elapsed: 4, width: 4) == "[####]  2000/2000  100%  500/s  ETA 0s")
        #expect(ProgressBar.duration(125) == "2m5s" && ProgressBar.duration(7300) == "2h1m")
    }
}
