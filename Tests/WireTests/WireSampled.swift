import Wire

/// A message with generated samples: every field non-default, one sample per oneof case.
protocol WireSampled: WireMessage {
    static var wireSamples: [Self] { get }
}
