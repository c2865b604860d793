import Foundation

/// Writes a value as pretty, key-sorted JSON on standard output: the stable machine-readable
/// form of a command's result.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    print(String(decoding: data, as: UTF8.self))
}

/// Formats a fraction as a percentage with two decimals ("98.57 %").
func percent(_ fraction: Double) -> String {
    String(format: "%.2f %%", fraction * 100)
}
