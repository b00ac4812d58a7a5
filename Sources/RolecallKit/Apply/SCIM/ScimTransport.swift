import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One request to a SCIM server, relative to its base URL (`/Users?filter=...`).
public struct ScimRequest: Sendable {
    public var method: String
    public var path: String
    public var body: JSONValue?
    /// `If-Match` when the server offers ETags and the version is known.
    public var ifMatch: String?

    public init(_ method: String, _ path: String, body: JSONValue? = nil, ifMatch: String? = nil) {
        self.method = method
        self.path = path
        self.body = body
        self.ifMatch = ifMatch
    }
}

public struct ScimResponse: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var json: JSONValue? { ScimJSON.parse(body) }
}

/// Something that sends SCIM requests: the HTTP client, or a fake in tests.
public protocol ScimTransport: Sendable {
    func send(_ request: ScimRequest) async throws -> ScimResponse
}

/// SCIM over HTTP with async-http-client's shared client. The bearer token lives only here, in a
/// header of each request: no description, error or log line of this type contains it.
public struct HTTPScimTransport: ScimTransport, CustomStringConvertible {
    public let baseURL: String
    private let token: String
    public var timeout: TimeAmount
    /// Largest answer read (a page of 1,000 users is about 1 MiB).
    public var maxBodyBytes = 64 << 20

    public init(baseURL: String, token: String, timeout: TimeInterval = 30) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = .milliseconds(Int64(timeout * 1000))
    }

    public var description: String { "SCIM server \(baseURL)" }

    public func send(_ request: ScimRequest) async throws -> ScimResponse {
        var http = HTTPClientRequest(url: baseURL + request.path)
        http.method = HTTPMethod(rawValue: request.method)
        http.headers.add(name: "Authorization", value: "Bearer \(token)")
        http.headers.add(name: "Accept", value: "application/scim+json, application/json")
        if let ifMatch = request.ifMatch { http.headers.add(name: "If-Match", value: ifMatch) }
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: "application/scim+json")
            http.body = .bytes(ScimJSON.bytes(body))
        }
        let response = try await HTTPClient.shared.execute(http, timeout: timeout)
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        let body = try await response.body.collect(upTo: maxBodyBytes)
        return ScimResponse(status: Int(response.status.code), headers: headers, body: Array(buffer: body))
    }
}
