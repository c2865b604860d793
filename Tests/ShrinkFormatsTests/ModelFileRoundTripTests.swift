import Foundation
import ShrinkGraph
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

@Suite struct ModelFileRoundTripTests {
    @Test func fixtureRoundTripsBitExactly() throws {
        let model = Fixtures.model()
        let decoded = try ModelFile.decode(try model.encoded())
        #expect(bitwiseEqual(model, decoded))
        #expect(decoded.graph == Fixtures.graph)
        #expect(decoded.activationQuantization == Fixtures.activationQuantization)
        #expect(decoded.tensor(named: "bn1.running_mean")?.kind == .buffer)
        #expect(decoded.tensor(named: "bn1.running_var")?.kind == .buffer)
        #expect(decoded.tensor(named: "fc1.weight")?.value.shape == [3, 8])
        #expect(decoded.tensors.map(\.name) == Fixtures.declaredWeights(of: Fixtures.graph).map(\.name))
    }

    @Test func randomTensorsOfOddShapesRoundTrip() throws {
        // Non-square input, odd channel and feature counts, a Linear without bias.
        var builder = GraphBuilder(name: "odd-shapes", inputShape: [3, 11, 9])
        var value = builder.add(
            "conv1", Convolution2DOperator(inputChannels: 3, outputChannels: 7, window: WindowGeometry(square: 5, padding: 2)),
            builder.input)
        value = builder.add("bn1", BatchNormalizationOperator(channels: 7, epsilon: 0.001, momentum: 0.3), value)
        value = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), value)
        value = builder.add("flatten", FlattenOperator(), value)
        value = builder.add("fc1", LinearOperator(inputFeatures: 140, outputFeatures: 13, hasBias: false), value)
        builder.add("fc2", LinearOperator(inputFeatures: 13, outputFeatures: 1), value)
        let graph = builder.finish()
        var generator = SeededRandomNumberGenerator(seed: 2024)
        let tensors = Fixtures.declaredWeights(of: graph).map { weight in
            StoredTensor(name: weight.name, kind: weight.kind,
                         value: .randomUniform(shape: weight.shape, lowerBound: -1000, upperBound: 1000, using: &generator))
        }
        #expect(tensors.map(\.value.shape) == [[7, 3, 5, 5], [7], [7], [7], [7], [7], [13, 140], [1, 13], [1]])
        let model = ModelFile(graph: graph, tensors: tensors)
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
        var builder = GraphBuilder(name: "extreme", inputShape: [values.count])
        builder.add("fc", LinearOperator(inputFeatures: values.count, outputFeatures: 1, hasBias: false), builder.input)
        let model = ModelFile(
            graph: builder.finish(),
            tensors: [StoredTensor(name: "fc.weight", value: Tensor(shape: [1, values.count], scalars: values))])
        let decoded = try ModelFile.decode(try model.encoded())
        #expect(decoded.tensors.first?.value.scalars.map(\.bitPattern) == patterns)
    }

    @Test func modelWithoutTensorsRoundTrips() throws {
        var builder = GraphBuilder(name: "parameter-free", inputShape: [4])
        builder.add("relu", ReLUOperator(), builder.input)
        let model = ModelFile(graph: builder.finish(), tensors: [], metadata: ModelMetadata())
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
        var generator = SeededRandomNumberGenerator(seed: 8)
        let network = try GraphNetwork(graph: Fixtures.graph, generator: &generator)
        let model = ModelFile(graph: network.graph, parameters: network.parameters)
        #expect(model.tensors.map(\.name) == Fixtures.declaredWeights(of: Fixtures.graph).map(\.name))
        #expect(model.tensors.map(\.kind) == [.trainable, .trainable, .trainable, .trainable, .buffer, .buffer, .trainable, .trainable])
        #expect(zip(model.tensors, network.parameters).allSatisfy { bitwiseEqual($0.value, $1.value) })
        #expect(model.metadata.producer == ModelMetadata.defaultProducer)
        #expect(model.activationQuantization.isEmpty)
        #expect(bitwiseEqual(try ModelFile.decode(model.encoded()), model))
    }

    @Test func metadataRoundTripsIncludingLargestSeed() throws {
        let decoded = try ModelFile.decode(Fixtures.validBytes)
        #expect(decoded.metadata == Fixtures.metadata)
        #expect(decoded.metadata.training?.seed == UInt64.max)
        #expect(decoded.graph == Fixtures.graph)
    }

    @Test func timestampIsRFC3339InUTC() {
        #expect(ModelMetadata.timestamp(for: Date(timeIntervalSince1970: 1_800_000_000)) == "2027-01-15T08:00:00Z")
    }
}
