import Foundation
import Logging
import PostgresNIO

/// The tables rolecall keeps in PostgreSQL, created on first use and versioned by the one row of
/// `rolecall_schema_version`, so that a later rolecall can migrate them.
enum PostgresSchema {
    static let version = 1

    enum Failure: Error, CustomStringConvertible {
        case newer(Int)
        var description: String {
            switch self {
            case let .newer(found):
                return "the database has rolecall schema version \(found), newer than this rolecall understands (\(version)); upgrade rolecall"
            }
        }
    }

    static let tables: [PostgresQuery] = [
        "CREATE TABLE IF NOT EXISTS rolecall_schema_version (version integer NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS rolecall_states (name text PRIMARY KEY, lineage text NOT NULL, serial bigint NOT NULL,
          data jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), updated_by text NOT NULL DEFAULT '')
        """,
        """
        CREATE TABLE IF NOT EXISTS rolecall_audit (id bigserial PRIMARY KEY, state_name text NOT NULL, serial bigint,
          time timestamptz NOT NULL, actor text NOT NULL, action text NOT NULL, org text NOT NULL, kind text NOT NULL,
          key text NOT NULL, reason text NOT NULL, result text NOT NULL, ticket text)
        """,
        "CREATE INDEX IF NOT EXISTS rolecall_audit_state ON rolecall_audit (state_name, id)",
        """
        CREATE TABLE IF NOT EXISTS rolecall_locks (name text PRIMARY KEY, backend_pid integer NOT NULL,
          user_name text NOT NULL, host text NOT NULL, pid bigint NOT NULL, since text NOT NULL)
        """,
    ]

    /// Checks the schema version; creates the tables when there are none (under a transaction-level
    /// advisory lock, so that runs starting together on an empty database do not race).
    static func prepare(_ connection: PostgresConnection, logger: Logger) throws {
        if let found = try installedVersion(connection, logger: logger) {
            guard found <= version else { throw Failure.newer(found) }
            if found == version { return }
        }
        _ = try connection.query("BEGIN", logger: logger).wait()
        do {
            _ = try connection.query("SELECT pg_advisory_xact_lock(\(Int64(0x726f_6c65_6361_6c6c)))", logger: logger).wait()
            for statement in tables { _ = try connection.query(statement, logger: logger).wait() }
            _ = try connection.query("""
                INSERT INTO rolecall_schema_version (version)
                SELECT \(version) WHERE NOT EXISTS (SELECT 1 FROM rolecall_schema_version)
                """, logger: logger).wait()
            _ = try connection.query("COMMIT", logger: logger).wait()
        } catch {
            _ = try? connection.query("ROLLBACK", logger: logger).wait()
            throw error
        }
    }

    private static func installedVersion(_ connection: PostgresConnection, logger: Logger) throws -> Int? {
        let exists = try connection.query("SELECT to_regclass('rolecall_schema_version') IS NOT NULL", logger: logger).wait()
        guard try exists.first?.decode(Bool.self) == true else { return nil }
        let rows = try connection.query("SELECT max(version) FROM rolecall_schema_version", logger: logger).wait()
        guard let row = rows.first, let found = try row.decode(Int32?.self) else { return nil }
        return Int(found)
    }
}

extension PostgresStateURL {
    /// The client configuration, with the password; TLS as `sslmode` says (`prefer`/`allow` try TLS without
    /// verifying, as libpq does; `require` insists on it; `verify-ca` and `verify-full` check the certificate).
    func configuration() throws -> PostgresConnection.Configuration {
        var client = TLSConfiguration.makeClientConfiguration()
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case .disable:
            tls = .disable
        case .allow, .prefer:
            client.certificateVerification = .none
            tls = .prefer(try NIOSSLContext(configuration: client))
        case .require:
            client.certificateVerification = .none
            tls = .require(try NIOSSLContext(configuration: client))
        case .verifyCA:
            client.certificateVerification = .noHostnameVerification
            tls = .require(try NIOSSLContext(configuration: client))
        case .verifyFull:
            tls = .require(try NIOSSLContext(configuration: client))
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                             database: database, tls: tls)
        configuration.options.additionalStartupParameters = [("application_name", "rolecall")]
        return configuration
    }
}
