import Foundation
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

@Suite struct ModelFileRoundTripTests {
    @Test func fixtureRoundTripsBitExactly() throws {
        let model = Fixtures.model()
        let decoded = try ModelFile.decode(try model.encoded())
        #expect(bitwiseEqual(model, decoded))
        #expect(decoded.tensor(named: "bn1.running_mean")?.kind == .buffer)
        #expect(decoded.tensor(named: "bn1.step")?.value.shape == [])
        #expect(decoded.tensor(named: "fc1.unused")?.value.shape == [0, 3])
    }

    @Test func randomTensorsOfOddShapesRoundTrip() throws {
        var generator = SeededRandomNumberGenerator(seed: 2024)
        let shapes: [[Int]] = [[1], [7], [13, 5], [3, 1, 7], [2, 3, 5, 7], [1, 1, 1, 1, 1, 1, 1, 1], [], [0], [4, 0, 9], [65], [17, 3]]
        var tensors: [StoredTensor] = []
        for (index, shape) in shapes.enumerated() {
            let value = Tensor.randomUniform(shape: shape, lowerBound: -1000, upperBound: 1000, using: &generator)
            tensors.append(StoredTensor(name: "t\(index).value", kind: index % 3 == 0 ? .buffer : .trainable, value: value))
        }
        let model = ModelFile(architecture: Fixtures.architecture, tensors: tensors)
        let bytes = try model.encoded()
        let decoded = try ModelFile.decode(bytes)
        #expect(bitwiseEqual(model, decoded))
        #expect(try decoded.encoded() == bytes)
    }

    @Test func extremeValuesKeepTheirBitPatterns() throws {
        var patterns: [UInt32] = [
            0x0000_0000, 0x8000_0000,  // +0, -0
            0x7F80_0000, 0xFF80_0000,  // ±inf
            0x7FC0_0000, 0xFFC0_0000, 0x7FC1_2345, 0xFFFF_FFFF,  // quiet NaNs with payloads
            0x7F80_0001, 0x7FA0_0000, 0xFF80_1234,  // signaling NaNs
            0x0000_0001, 0x807F_FFFF, 0x0040_0000,  // subnormals
            0x0080_0000, 0x7F7F_FFFF, 0xFF7F_FFFF,  // least normal, ±greatest finite
        ]
        var generator = SeededRandomNumberGenerator(seed: 99)
        for _ in 0..<1_000 { patterns.append(UInt32(truncatingIfNeeded: generator.next())) }
        let values = patterns.map(Float.init(bitPattern:))
        let model = ModelFile(
            architecture: Fixtures.architecture,
            tensors: [StoredTensor(name: "extreme", value: Tensor(shape: [values.count], scalars: values))])
        let decoded = try ModelFile.decode(try model.encoded())
        #expect(decoded.tensors.first?.value.scalars.map(\.bitPattern) == patterns)
    }

    @Test func modelWithoutTensorsRoundTrips() throws {
        let architecture = ModelArchitecture(
            name: "parameter-free", inputShape: [4], layers: [NamedLayerSpecification(name: "relu", layer: .relu)])
        let model = ModelFile(architecture: architecture, tensors: [], metadata: ModelMetadata())
        let bytes = try model.encoded()
        let decoded = try ModelFile.decode(bytes)
        #expect(bitwiseEqual(model, decoded))
        // The empty data section still starts at a 64-byte boundary, which is also the file end.
        #expect(bytes.count % 64 == 0)
    }

    @Test func encodingIsDeterministic() throws {
        let first = try Fixtures.model(seed: 5).encoded()
        let second = try Fixtures.model(seed: 5).encoded()
        #expect(first == second)
        #expect(try ModelFile.decode(first).encoded() == first)
    }

    @Test func parametersInitializerCopiesNamesKindsAndValues() throws {
        let weight = Parameter(name: "fc1.weight", value: Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        let mean = Parameter(name: "bn1.running_mean", value: Tensor(zeros: [3]), kind: .buffer)
        let model = ModelFile(architecture: Fixtures.architecture, parameters: [weight, mean])
        #expect(model.tensors.map(\.name) == ["fc1.weight", "bn1.running_mean"])
        #expect(model.tensors.map(\.kind) == [.trainable, .buffer])
        #expect(model.tensors[0].value == weight.value)
        #expect(model.metadata.producer == ModelMetadata.defaultProducer)
    }

    @Test func metadataRoundTripsIncludingLargestSeed() throws {
        let decoded = try ModelFile.decode(Fixtures.validBytes)
        #expect(decoded.metadata == Fixtures.metadata)
        #expect(decoded.metadata.training?.seed == UInt64.max)
        #expect(decoded.architecture == Fixtures.architecture)
    }

    @Test func timestampIsRFC3339InUTC() {
        #expect(ModelMetadata.timestamp(for: Date(timeIntervalSince1970: 1_800_000_000)) == "2027-01-15T08:00:00Z")
    }
}
