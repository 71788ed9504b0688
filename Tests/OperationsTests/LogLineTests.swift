import Logging
import RPCCore
@testable import ServiceKit
import Synchronization
import Testing

@Suite struct LogLineTests {
    static let fields: Logger.Metadata = [
        "rpc.method": "crm.registry.v1.ClientRegistry/SearchByPhone",
        "rpc.code": "OK",
        "note": "two words \"quoted\"\nnext line",
        "request-id": "abc-1",
    ]

    @Test(arguments: [
        (LogFormat.logfmt,
         #"ts=2026-11-23T02:31:00.123Z level=info logger=registry msg="Call finished" note="two words \"quoted\"\nnext line" request-id=abc-1 rpc.code=OK rpc.method=crm.registry.v1.ClientRegistry/SearchByPhone"#),
        (LogFormat.json,
         #"{"ts":"2026-11-23T02:31:00.123Z","level":"info","logger":"registry","msg":"Call finished","note":"two words \"quoted\"\nnext line","request-id":"abc-1","rpc.code":"OK","rpc.method":"crm.registry.v1.ClientRegistry/SearchByPhone"}"#),
    ])
    func oneLinePerEvent(format: LogFormat, expected: String) {
        let line = StructuredLogHandler.line(
            time: "2026-11-23T02:31:00.123Z", level: .info, label: "registry", message: "Call finished", fields: Self.fields, format: format
        )
        #expect(line == expected)
        #expect(!line.contains("\n"))
    }

    @Test func theTimeIsUTCWithMilliseconds() {
        let time = StructuredLogHandler.now()
        #expect(time.count == 24 && time.hasSuffix("Z") && time.dropFirst(10).first == "T")
    }

    @Test func everyLineWrittenWhileServingACallNamesItsRequest() {
        let lines = Mutex<[String]>([])
        let handler = StructuredLogHandler(label: "scheduling", format: .logfmt, level: .info) { line in lines.withLock { $0.append(line) } }
        let logger = Logger(label: "scheduling", factory: { _ in handler })
        RequestID.$current.withValue("req-7") { logger.info("Outbox message handed off") }
        logger.info("Outside any call")
        logger.debug("Below the level")
        let written = lines.withLock { $0 }
        #expect(written.count == 2)
        #expect(written.first?.hasSuffix(#"level=info logger=scheduling msg="Outbox message handed off" request-id=req-7"#) == true)
        #expect(written.last?.contains("request-id") == false)
    }
}
