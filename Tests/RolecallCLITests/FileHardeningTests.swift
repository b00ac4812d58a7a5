import Foundation
import Testing

/// Issue 13's file items end to end: planted links and FIFOs, modes, an audit log on the state, the
/// largest serial. Each case exits 1 with a message (never a crash or a hang) and leaves the files alone.
@Suite("file hardening end to end", .serialized)
struct FileHardeningTests {
    private func mode(_ path: String) throws -> Int {
        try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test func hardening6_plantedLockSymlinkDoesNotTruncateItsTarget() throws {
        let ws = try Workspace(["acme.yaml": acme])
        try "precious\n".write(toFile: ws.path("victim"), atomically: true, encoding: .utf8)
        #expect(symlink(ws.path("victim"), ws.path("rolecall.state.json.lock")) == 0)
        let run = try ws.run(["apply", "m", "--auto-approve"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("symbolic link"))
        #expect(ws.read("victim") == "precious\n")
        #expect(ws.read("rolecall.state.json") == nil)
    }

    @Test func hardening6_stateThatIsAFIFOIsRefusedWithoutHanging() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(mkfifo(ws.path("rolecall.state.json"), 0o600) == 0)
        let command = "timeout 30 '\(Binary.url.path)' apply m --auto-approve --now 2026-11-23T12:00:00Z"
        let run = try Binary.run(["-c", command], in: ws.url, shell: true)
        #expect(run.status == 1, "124 would mean it hung")
        #expect(run.stderr.contains("FIFO"))
    }

    @Test func hardening6_stateThatIsASymlinkIsRefused() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["apply", "m", "--auto-approve", "--state", "real.json"]).status == 0)
        let real = try #require(ws.read("real.json"))
        #expect(symlink(ws.path("real.json"), ws.path("rolecall.state.json")) == 0)
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{name: staging}", with: "{name: staging}, {name: dev}"))
        let run = try ws.run(["apply", "m", "--auto-approve"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("symbolic link"))
        #expect(ws.read("real.json") == real)
    }

    @Test func hardening9_modesAreKeptAcrossApplies() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        for name in ["rolecall.state.json", "rolecall.state.json.lock", "rolecall.audit.jsonl"] {
            #expect(try mode(ws.path(name)) == 0o600, "\(name) is created 0600")
        }
        #expect(chmod(ws.path("rolecall.state.json"), 0o640) == 0)
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{name: staging}", with: "{name: staging}, {name: dev}"))
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        #expect(try mode(ws.path("rolecall.state.json")) == 0o640)
        #expect(try mode(ws.path("rolecall.state.json.backup")) == 0o640)
    }

    @Test func hardening10_auditLogAtTheStateIsRefusedBeforeAnythingIsWritten() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let state = try #require(ws.read("rolecall.state.json"))
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{name: staging}", with: "{name: staging}, {name: dev}"))
        #expect(symlink(ws.path("rolecall.state.json"), ws.path("log-link")) == 0)
        for audit in ["rolecall.state.json", "./m/../rolecall.state.json", "log-link", "rolecall.state.json.lock", "rolecall.state.json.backup"] {
            let run = try ws.run(["apply", "m", "--auto-approve", "--audit-log", audit])
            #expect(run.status == 1, "--audit-log \(audit)")
            #expect(run.stderr.contains("is a file of state rolecall.state.json"), "--audit-log \(audit)")
            #expect(ws.read("rolecall.state.json") == state)
        }
        #expect(ws.read("rolecall.state.json.backup") == nil)
    }

    @Test func hardening13_serialAtInt64MaxIsAnErrorNotACrash() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let full = try #require(ws.read("rolecall.state.json")).replacingOccurrences(of: "\"serial\": 1", with: "\"serial\": 9223372036854775807")
        try full.write(toFile: ws.path("rolecall.state.json"), atomically: true, encoding: .utf8)
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{name: staging}", with: "{name: staging}, {name: dev}"))
        let apply = try ws.run(["apply", "m", "--auto-approve"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("serial 9223372036854775807"))
        let accept = try Binary.run(["state", "accept", "jane@acme.com", "--org", "acme"], in: ws.url)
        #expect(accept.status == 1)
        #expect(accept.stderr.contains("serial 9223372036854775807"))
        #expect(ws.read("rolecall.state.json") == full)
    }
}
