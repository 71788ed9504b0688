/// Milliseconds in a day, and in an hour.
let dayMs: Int64 = 86_400_000
let hourMs: Int64 = 3_600_000
