import Testing
@testable import ShrinkTensor

@Suite struct SeededRandomTests {
    @Test func sameSeedSameSequence() {
        var first = SeededRandomNumberGenerator(seed: 42)
        var second = SeededRandomNumberGenerator(seed: 42)
        for _ in 0..<100 { #expect(first.next() == second.next()) }
    }

    @Test func differentSeedsDiffer() {
        var first = SeededRandomNumberGenerator(seed: 1)
        var second = SeededRandomNumberGenerator(seed: 2)
        #expect((0..<10).map { _ in first.next() } != (0..<10).map { _ in second.next() })
    }

    @Test func normalSamplesHaveUnitMoments() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let samples = (0..<200_000).map { _ in Double(generator.nextNormal()) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
    }

    @Test func uniformSamplesStayInRange() {
        var generator = SeededRandomNumberGenerator(seed: 3)
        for _ in 0..<10_000 {
            let value = generator.nextUniform()
            #expect(value >= 0 && value < 1)
        }
    }

    @Test func shuffleIsAPermutation() {
        var generator = SeededRandomNumberGenerator(seed: 9)
        var values = Array(0..<1000)
        values.seededShuffle(using: &generator)
        #expect(values != Array(0..<1000))
        #expect(values.sorted() == Array(0..<1000))
    }
}
