import Foundation

/// What a server says it supports (`/ServiceProviderConfig`, RFC 7643 5).
public struct ScimServerConfig: Sendable, Equatable {
    public var bulk = false
    public var bulkMaxOperations = 0
    public var bulkMaxPayload = 0
    public var etag = false
    public var filter = true

    public init() {}

    init(_ json: JSONValue) {
        bulk = json["bulk"]?["supported"]?.boolValue ?? false
        bulkMaxOperations = json["bulk"]?["maxOperations"]?.intValue ?? 0
        bulkMaxPayload = json["bulk"]?["maxPayloadSize"]?.intValue ?? 0
        etag = json["etag"]?["supported"]?.boolValue ?? false
        filter = json["filter"]?["supported"]?.boolValue ?? true
        if bulkMaxOperations < 2 || bulkMaxPayload < 4096 { bulk = false }
    }
}

/// A resource as the server returned it, with its version (the ETag header, else `meta.version`).
public struct ScimResource: Sendable {
    public var id: String
    public var json: JSONValue
    public var version: String?

    init?(_ json: JSONValue, etag: String? = nil) {
        guard let id = json["id"]?.stringValue else { return nil }
        self.id = id
        self.json = json
        self.version = etag ?? json["meta"]?["version"]?.stringValue
    }
}

/// The SCIM protocol operations rolecall uses, each through the retry policy. A `ScimError` carries
/// the status and the server's `detail`.
public struct ScimClient: Sendable {
    public let transport: any ScimTransport
    public var retry: ScimRetryPolicy
    /// Resources asked for per page; the server may send fewer (its own cap), which is fine.
    public var pageSize = 1000

    public static let userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
    static let patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    static let bulkSchema = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"

    public init(transport: any ScimTransport, retry: ScimRetryPolicy = ScimRetryPolicy()) {
        self.transport = transport
        self.retry = retry
    }

    /// Sends a request; an answer outside `expected` is a `ScimError`.
    func send(_ request: ScimRequest, expected: Set<Int>) async throws -> ScimResponse {
        let response = try await retry.run(request, on: transport)
        guard expected.contains(response.status) else { throw ScimError(request, response) }
        return response
    }

    public func serviceProviderConfig() async throws -> ScimServerConfig {
        let response = try await send(ScimRequest("GET", "/ServiceProviderConfig"), expected: [200])
        return response.json.map(ScimServerConfig.init) ?? ScimServerConfig()
    }

    /// Every resource at `endpoint` (`Users`, `Groups`) matching `filter`: pages are read until
    /// `totalResults` resources have come, whatever size the server gives a page.
    public func list(_ endpoint: String, filter: String? = nil) async throws -> [ScimResource] {
        var all: [ScimResource] = []
        var start = 1
        while true {
            var query = "startIndex=\(start)&count=\(pageSize)"
            if let filter { query += "&filter=" + Self.escape(filter) }
            let response = try await send(ScimRequest("GET", "/\(endpoint)?\(query)"), expected: [200])
            guard let page = response.json else { throw ScimError(status: 200, detail: "GET /\(endpoint): not a SCIM list", scimType: nil) }
            let resources = page["Resources"]?.arrayValue ?? []
            all += resources.compactMap { ScimResource($0) }
            start += resources.count
            let total = page["totalResults"]?.intValue ?? all.count
            if resources.isEmpty || start > total { return all }
        }
    }

    public func get(_ endpoint: String, id: String) async throws -> ScimResource? {
        let request = ScimRequest("GET", "/\(endpoint)/\(Self.escape(id))")
        let response = try await retry.run(request, on: transport)
        if response.status == 404 { return nil }
        guard response.status == 200, let json = response.json, let resource = ScimResource(json, etag: response.headers["etag"]) else {
            throw ScimError(request, response)
        }
        return resource
    }

    /// The user whose userName is `userName`, compared without case (`userName eq`, then checked here
    /// too: a server may compare with case).
    public func findUser(userName: String) async throws -> ScimResource? {
        let found = try await list("Users", filter: "userName eq \(ScimJSON.quoted(userName))")
        return found.first { $0.json["userName"]?.stringValue?.lowercased() == userName.lowercased() }
    }

    public func findGroup(displayName: String) async throws -> ScimResource? {
        let found = try await list("Groups", filter: "displayName eq \(ScimJSON.quoted(displayName))")
        return found.first { $0.json["displayName"]?.stringValue == displayName }
    }

    public func create(_ endpoint: String, _ body: JSONValue) async throws -> ScimResource {
        let request = ScimRequest("POST", "/\(endpoint)", body: body)
        let response = try await send(request, expected: [200, 201])
        guard let json = response.json, let resource = ScimResource(json, etag: response.headers["etag"]) else {
            throw ScimError(status: response.status, detail: "POST /\(endpoint): the answer has no id", scimType: nil)
        }
        return resource
    }

    /// A create that is safe to repeat: a create whose answer was lost (a 5xx, a dropped connection)
    /// may have happened, so before each new attempt `find` looks for what it made.
    public func createConverging(_ endpoint: String, _ body: JSONValue,
                                 find: @Sendable () async throws -> ScimResource?) async throws -> ScimResource {
        var once = self
        once.retry.maxAttempts = 1
        var attempt = 0
        while true {
            do {
                return try await once.create(endpoint, body)
            } catch let error as ScimError where error.status.map(ScimRetryPolicy.isRetryable(status:)) ?? true {
                if error.status != 429, let found = try await find() { return found }
                attempt += 1
                if attempt >= retry.maxAttempts { throw error }
                await retry.sleep(retry.delay(attempt: attempt, retryAfter: nil))
            }
        }
    }

    /// A PATCH (RFC 7644 3.5.2): the resource when answered 200 with a body, nil when answered 204.
    public func patch(_ endpoint: String, id: String, _ operations: [JSONValue], ifMatch: String? = nil) async throws -> ScimResource? {
        let body: JSONValue = .object(["schemas": .array([.string(Self.patchSchema)]), "Operations": .array(operations)])
        let request = ScimRequest("PATCH", "/\(endpoint)/\(Self.escape(id))", body: body, ifMatch: ifMatch)
        let response = try await send(request, expected: [200, 204])
        return response.json.flatMap { ScimResource($0, etag: response.headers["etag"]) }
    }

    /// A DELETE; a resource already gone counts as deleted.
    public func delete(_ endpoint: String, id: String) async throws {
        _ = try await send(ScimRequest("DELETE", "/\(endpoint)/\(Self.escape(id))"), expected: [200, 204, 404])
    }

    /// A /Bulk request (RFC 7644 3.7): each operation's status and resource, in order.
    public func bulk(_ operations: [JSONValue]) async throws -> [(status: Int, location: String?, response: JSONValue?)] {
        let body: JSONValue = .object(["schemas": .array([.string(Self.bulkSchema)]), "failOnErrors": .int(0),
                                       "Operations": .array(operations)])
        let response = try await send(ScimRequest("POST", "/Bulk", body: body), expected: [200])
        let results = response.json?["Operations"]?.arrayValue ?? []
        return results.map { op in
            let status = op["status"]?.intValue ?? Int(op["status"]?["code"]?.stringValue ?? "") ?? 0
            return (status, op["location"]?.stringValue, op["response"])
        }
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?/#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
