import Foundation
import RolecallKit

/// One fuzz input: YAML through the reader, the loader and validation, then (when valid) the
/// planner against an empty state and the state codec. Anything may be reported; nothing may crash.
/// The manifest is read every way the loader can (list items decoded as they are read, whole trees
/// decoded after, and the file cut in pieces read side by side), which must agree exactly.
func fuzzOne(_ bytes: [UInt8]) {
    let now = Date(timeIntervalSince1970: 1_795_435_200)  // 2026-11-23T12:00:00Z
    let loader = ManifestLoader(now: now)
    // The state codec takes the same bytes as a (probably broken) state file, the saved-plan reader as a
    // plan file (its seal, then the checks `apply PLANFILE` runs), the audit log's verifier as a log.
    if case let .success(state) = StateCodec.decode(Data(bytes)) {
        _ = StateCodec.decode(StateCodec.encode(state))
    }
    _ = PlanDocument.readSealed(Data(bytes), key: nil)
    if case let .success(saved) = PlanDocument.read(Data(bytes)) {
        _ = SavedPlan.check(saved, state: State(), options: PlanOptions(now: now))
    }
    _ = AuditLog.verify(bytes)
    let streamed = loader.validate(files: [(path: "fuzz.yaml", bytes: bytes)])
    // Read in pieces of a few bytes (FilePieces): the same outcome, whatever the text.
    var inPieces = loader
    inPieces.threads = 4
    inPieces.pieceSize = 8
    let pieces = inPieces.validate(files: [(path: "fuzz.yaml", bytes: bytes)])
    precondition(pieces.diagnostics == streamed.diagnostics && pieces.manifest == streamed.manifest,
                 "reading the file in pieces changed the outcome")
    switch loader.reader.read(bytes, file: "fuzz.yaml") {
    case let .failure(error):
        precondition(streamed.diagnostics == [error.diagnostic] && streamed.manifest == nil,
                     "reading list items as they come changed the outcome")
        return
    case let .success(documents):
        let result = loader.validate(documents)
        precondition(streamed.diagnostics == result.diagnostics && streamed.manifest == result.manifest,
                     "reading list items as they come changed the outcome")
        _ = DiagnosticsRenderer(format: .json).render(ValidationReport(result, strict: false))
        guard let manifest = result.manifest else { return }
        let desired = DesiredState(manifest, now: now)
        let (plan, _) = Planner.plan(desired: desired, current: State(), options: PlanOptions(now: now))
        var state = State()
        for change in plan.changes { state.apply(change) }
        _ = StateCodec.decode(StateCodec.encode(state))
        // A plan rolecall made passes every check `apply PLANFILE` runs, through its sealed file.
        let sealed = PlanDocument.readSealed(Data(PlanDocument(plan).sealed(key: "fuzz").json.utf8), key: "fuzz")
        guard case let .success(saved) = sealed else { preconditionFailure("a sealed plan did not read back: \(sealed)") }
        let problems = SavedPlan.check(saved, state: State(), options: PlanOptions(now: now))
        precondition(!problems.hasErrors, "a plan rolecall made failed the saved-plan checks: \(problems)")
        _ = EffectiveAccess.compute(state.resources, now: now)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntry(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

/// libFuzzer's driver for programs that have their own `main` (SwiftPM always links one).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ target: FuzzTarget) -> CInt

@main
struct Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, { data, size in fuzzEntry(data, size) }))
    }
}
#else
/// Without the fuzzer: replays inputs (files named on the command line), e.g. a crash the fuzzer found.
@main
struct Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("cannot read \(path)")
                continue
            }
            fuzzOne([UInt8](data))
            print("ok \(path)")
        }
    }
}
#endif
